package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestLoadsLoopbackPageAndRecordsRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>t</title><h1 id="h">hello from loopback</h1>`))
	}))
	defer srv.Close()
	b := New(t)
	var text string
	b.Run(t, 30*time.Second, chromedp.Navigate(srv.URL), chromedp.Text("#h", &text))
	if text != "hello from loopback" {
		t.Fatalf("page text = %q", text)
	}
	found := false
	for _, r := range b.Requests() {
		if strings.HasPrefix(r, srv.URL) {
			found = true
		}
	}
	if !found {
		t.Fatalf("request to %s not recorded: %v", srv.URL, b.Requests())
	}
	if ext := b.ExternalRequests(); len(ext) != 0 {
		t.Fatalf("requests left the machine: %v", ext)
	}
}

func TestIsLocal(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://127.0.0.1:8080/x":          true,
		"http://localhost/":                true,
		"http://[::1]:3000/":               true,
		"file:///tmp/a.html":               true,
		"blob:http://127.0.0.1/abc":        true,
		"data:text/plain,hi":               true,
		"https://example.org/":             false,
		"http://10.0.0.1/":                 false,
		"https://fonts.googleapis.com/css": false,
	} {
		if got := IsLocal(raw); got != want {
			t.Errorf("IsLocal(%q) = %v, want %v", raw, got, want)
		}
	}
}
