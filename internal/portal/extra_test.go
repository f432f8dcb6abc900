package portal

import "testing"

func TestAddSources(t *testing.T) {
	add := map[string][]string{
		"script-src":      {"'sha256-A'"},
		"script-src-elem": {"'sha256-A'"},
		"connect-src":     {"'self'"},
	}
	for _, tc := range []struct{ in, want string }{
		{
			"default-src 'none'; style-src 'self'; img-src 'self'",
			"default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; script-src 'sha256-A'",
		},
		{
			"default-src 'self'; script-src 'none'; connect-src 'none'",
			"default-src 'self'; script-src 'sha256-A'; connect-src 'self'",
		},
		{
			// The sealed unlock page: its own hash stays, ours joins it.
			"default-src 'none'; script-src 'sha256-U'; connect-src 'self'",
			"default-src 'none'; script-src 'sha256-U' 'sha256-A'; connect-src 'self'",
		},
		{
			"script-src-elem 'sha256-U'; default-src 'none'",
			"script-src-elem 'sha256-U' 'sha256-A'; default-src 'none'; connect-src 'self'; script-src 'sha256-A'",
		},
		{
			// No default-src: absent directives allow everything already.
			"img-src 'self'",
			"img-src 'self'",
		},
	} {
		if got := AddSources(tc.in, add); got != tc.want {
			t.Errorf("AddSources(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
