package browsertest

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// firefoxPath returns $FIREFOX, else firefox-esr or firefox on PATH.
func firefoxPath() string {
	if p := os.Getenv("FIREFOX"); p != "" {
		return p
	}
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// firefoxDriver drives headless Firefox over WebDriver BiDi, which Firefox
// speaks itself on a websocket: no geckodriver (not in Debian) and no
// Node. Network events come from the protocol.
type firefoxDriver struct {
	cmd       *exec.Cmd
	conn      net.Conn
	profile   string
	downloads string
	context   string // the first tab's browsing context

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan bidiReply
	closed  error
	urls    []string
}

type bidiReply struct {
	ID      int             `json:"id"`
	Type    string          `json:"type"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// firefoxPrefs are the profile's preferences: downloads saved without a
// question in the profile, reduced motion (the theme then stops smooth
// scrolling), and with JITLess the JavaScript compilers off as hardened
// Firefox turns them off.
func firefoxPrefs(downloads string, opt Options) string {
	prefs := map[string]any{
		"browser.download.folderList":                              2,
		"browser.download.dir":                                     downloads,
		"browser.download.useDownloadDir":                          true,
		"browser.download.always_ask_before_handling_new_types":    false,
		"browser.download.start_downloads_in_tmp_dir":              false,
		"browser.download.alwaysOpenPanel":                         false,
		"browser.shell.checkDefaultBrowser":                        false,
		"browser.aboutwelcome.enabled":                             false,
		"ui.prefersReducedMotion":                                  1,
		"network.captive-portal-service.enabled":                   false,
		"network.connectivity-service.enabled":                     false,
		"extensions.getAddons.cache.enabled":                       false,
		"browser.safebrowsing.update.enabled":                      false,
		"browser.newtabpage.activity-stream.feeds.system.topsites": false,
	}
	if opt.JITLess {
		for _, p := range []string{"javascript.options.baselinejit", "javascript.options.ion", "javascript.options.wasm", "javascript.options.native_regexp"} {
			prefs[p] = false
		}
	}
	var b strings.Builder
	for k, v := range prefs {
		val, _ := json.Marshal(v)
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", k, val)
	}
	return b.String()
}

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

func startFirefox(opt Options) (d Driver, err error) {
	profile, err := tempProfile(Firefox)
	if err != nil {
		return nil, err
	}
	ff := &firefoxDriver{profile: profile, downloads: filepath.Join(profile, "downloads"), waiting: map[int]chan bidiReply{}}
	defer func() {
		if err != nil {
			ff.Close()
		}
	}()
	prof := filepath.Join(profile, "profile")
	if err := os.Mkdir(prof, 0o755); err != nil {
		return nil, fmt.Errorf("firefox profile: %w", err)
	}
	if err := os.WriteFile(filepath.Join(prof, "user.js"), []byte(firefoxPrefs(ff.downloads, opt)), 0o644); err != nil {
		return nil, fmt.Errorf("firefox profile: %w", err)
	}
	w, h := opt.size()
	ff.cmd = exec.Command(firefoxPath(), "--headless", "--no-remote", "--profile", prof,
		"--remote-debugging-port=0", fmt.Sprintf("--width=%d", w), fmt.Sprintf("--height=%d", h), "about:blank")
	ff.cmd.Env = append(os.Environ(), "HOME="+profile, "MOZ_CRASHREPORTER_DISABLE=1")
	ff.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := ff.cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("firefox: %w", err)
	}
	if err := ff.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start firefox: %w", err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() { // read it all, so Firefox never blocks on a full pipe
			if m := bidiListening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	var base string
	select {
	case u, ok := <-found:
		if !ok {
			return nil, errors.New("firefox exited before listening for WebDriver BiDi")
		}
		base = u
	case <-time.After(60 * time.Second):
		return nil, errors.New("firefox: no WebDriver BiDi address after 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ff.conn, _, _, err = ws.Dial(ctx, strings.TrimSuffix(base, "/")+"/session")
	if err != nil {
		return nil, fmt.Errorf("firefox: websocket %s: %w", base, err)
	}
	go ff.readLoop()
	if err := ff.call("session.new", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		return nil, err
	}
	if err := ff.call("session.subscribe", map[string]any{"events": []string{"network.beforeRequestSent"}}, nil); err != nil {
		return nil, err
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := ff.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		return nil, err
	}
	if len(tree.Contexts) == 0 {
		return nil, errors.New("firefox: no tab")
	}
	ff.context = tree.Contexts[0].Context
	if err := ff.call("browsingContext.setViewport", map[string]any{"context": ff.context, "viewport": map[string]any{"width": w, "height": h}}, nil); err != nil {
		return nil, err
	}
	return ff, nil
}

// readLoop hands replies to their callers and records network events.
func (d *firefoxDriver) readLoop() {
	for {
		data, err := wsutil.ReadServerText(d.conn)
		if err != nil {
			d.mu.Lock()
			d.closed = fmt.Errorf("firefox: connection closed: %w", err)
			for id, ch := range d.waiting {
				close(ch)
				delete(d.waiting, id)
			}
			d.mu.Unlock()
			return
		}
		var r bidiReply
		if json.Unmarshal(data, &r) != nil {
			continue
		}
		if r.Type == "event" {
			if r.Method == "network.beforeRequestSent" {
				var p struct {
					Request struct {
						URL string `json:"url"`
					} `json:"request"`
				}
				if json.Unmarshal(r.Params, &p) == nil {
					d.mu.Lock()
					d.urls = append(d.urls, p.Request.URL)
					d.mu.Unlock()
				}
			}
			continue
		}
		d.mu.Lock()
		ch := d.waiting[r.ID]
		delete(d.waiting, r.ID)
		d.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// call sends a BiDi command and decodes its result into out.
func (d *firefoxDriver) call(method string, params, out any) error {
	d.mu.Lock()
	if d.closed != nil {
		d.mu.Unlock()
		return d.closed
	}
	d.nextID++
	id := d.nextID
	ch := make(chan bidiReply, 1)
	d.waiting[id] = ch
	d.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return fmt.Errorf("firefox %s: %w", method, err)
	}
	d.writeMu.Lock()
	err = wsutil.WriteClientText(d.conn, msg)
	d.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("firefox %s: %w", method, err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return fmt.Errorf("firefox %s: %w", method, d.closed)
		}
		if r.Type == "error" || r.Error != "" {
			return fmt.Errorf("firefox %s: %s: %s", method, r.Error, r.Message)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				return fmt.Errorf("firefox %s: result %.200q: %w", method, r.Result, err)
			}
		}
		return nil
	case <-time.After(120 * time.Second):
		d.mu.Lock()
		delete(d.waiting, id)
		d.mu.Unlock()
		return fmt.Errorf("firefox %s: no reply after 120 s", method)
	}
}

func (d *firefoxDriver) Engine() string { return Firefox }

func (d *firefoxDriver) Navigate(url string) error {
	return d.call("browsingContext.navigate", map[string]any{"context": d.context, "url": url, "wait": "complete"}, nil)
}

func (d *firefoxDriver) Reload() error {
	return d.call("browsingContext.reload", map[string]any{"context": d.context, "wait": "complete"}, nil)
}

func (d *firefoxDriver) Eval(expr string, out any) error {
	var res struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := d.call("script.evaluate", map[string]any{
		"expression": jsonWrapped(expr), "target": map[string]any{"context": d.context},
		"awaitPromise": true, "resultOwnership": "none", "userActivation": false,
	}, &res)
	if err != nil {
		return fmt.Errorf("firefox: eval %.80q: %w", expr, err)
	}
	if res.Type == "exception" {
		return fmt.Errorf("firefox: eval %.80q: %s", expr, res.ExceptionDetails.Text)
	}
	var text string
	if res.Result.Type == "string" {
		if err := json.Unmarshal(res.Result.Value, &text); err != nil {
			return fmt.Errorf("firefox: eval %.80q: %w", expr, err)
		}
	}
	return decodeJSON(expr, text, out)
}

func (d *firefoxDriver) actions(source map[string]any) error {
	return d.call("input.performActions", map[string]any{"context": d.context, "actions": []any{source}}, nil)
}

func (d *firefoxDriver) Type(selector, text string) error {
	var focused bool
	if err := d.Eval(focusJS(selector), &focused); err != nil {
		return err
	}
	if !focused {
		return fmt.Errorf("firefox: cannot focus %q", selector)
	}
	var acts []any
	for _, r := range text {
		k := string(r)
		if r == '\n' {
			k = "\uE007"
		}
		acts = append(acts, map[string]any{"type": "keyDown", "value": k}, map[string]any{"type": "keyUp", "value": k})
	}
	if err := d.actions(map[string]any{"type": "key", "id": "keyboard", "actions": acts}); err != nil {
		return fmt.Errorf("firefox: type into %q: %w", selector, err)
	}
	return nil
}

func (d *firefoxDriver) Click(selector string) error {
	p, err := locate(d, selector)
	if err != nil {
		return fmt.Errorf("firefox: click: %w", err)
	}
	err = d.actions(map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
		"actions": []any{
			map[string]any{"type": "pointerMove", "x": p.X, "y": p.Y, "origin": "viewport"},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		},
	})
	if err != nil {
		return fmt.Errorf("firefox: click %q: %w", selector, err)
	}
	return nil
}

func (d *firefoxDriver) Screenshot() ([]byte, error) {
	var res struct {
		Data string `json:"data"`
	}
	if err := d.call("browsingContext.captureScreenshot", map[string]any{"context": d.context}, &res); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(res.Data)
}

func (d *firefoxDriver) Requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.urls...)
}

func (d *firefoxDriver) Tabs() ([]string, error) {
	var tree struct {
		Contexts []struct {
			URL string `json:"url"`
		} `json:"contexts"`
	}
	if err := d.call("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		return nil, err
	}
	var urls []string
	for _, c := range tree.Contexts {
		urls = append(urls, c.URL)
	}
	return urls, nil
}

func (d *firefoxDriver) DownloadDir() string { return d.downloads }

func (d *firefoxDriver) Close() error {
	if d.conn != nil {
		d.call("browser.close", map[string]any{}, nil)
		d.conn.Close()
	}
	if d.cmd != nil && d.cmd.Process != nil {
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	return removeProfile(d.profile)
}
