package browsertest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// miniBrowserPath is WebKitGTK's MiniBrowser, the browser WebKitWebDriver
// drives (Debian's webkit2gtk-driver depends on the library that ships it).
func miniBrowserPath() string {
	if p := os.Getenv("MINIBROWSER"); p != "" {
		return p
	}
	for _, pattern := range []string{"/usr/lib/*/webkit2gtk-4.1/MiniBrowser", "/usr/lib/*/webkit2gtk-4.0/MiniBrowser", "/usr/libexec/webkit2gtk-4.*/MiniBrowser"} {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

// webkitDriver drives MiniBrowser through WebKitWebDriver, on an Xvfb
// display of its own (WebKitGTK has no headless mode). Every http request
// of the browser goes through a recording proxy, which is how Requests
// knows them: classic WebDriver reports no network events.
type webkitDriver struct {
	wd        *webdriverClient
	procs     []*exec.Cmd // WebKitWebDriver, Xvfb: killed in reverse order
	proxy     *recordingProxy
	profile   string
	downloads string
}

func startWebKit(opt Options) (d Driver, err error) {
	profile, err := tempProfile(WebKit)
	if err != nil {
		return nil, err
	}
	wk := &webkitDriver{profile: profile, downloads: filepath.Join(profile, "downloads")}
	defer func() {
		if err != nil {
			wk.Close()
		}
	}()
	display, xvfb, err := startXvfb()
	if err != nil {
		return nil, err
	}
	wk.procs = append(wk.procs, xvfb)
	if wk.proxy, err = startRecordingProxy(); err != nil {
		return nil, err
	}
	// HOME and the XDG folders in the profile: WebKit saves downloads in
	// the XDG download folder, and GTK's settings.ini turns animations off,
	// which WebKitGTK reports as prefers-reduced-motion (the theme then
	// stops smooth scrolling, which makes WebKit's clicks miss).
	config := filepath.Join(profile, "config")
	files := map[string]string{
		filepath.Join(config, "user-dirs.dirs"):          "XDG_DOWNLOAD_DIR=\"" + wk.downloads + "\"\n",
		filepath.Join(config, "gtk-3.0", "settings.ini"): "[Settings]\ngtk-enable-animations=0\n",
	}
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("webkit profile: %w", err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return nil, fmt.Errorf("webkit profile: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("WebKitWebDriver", "--port="+strconv.Itoa(port))
	cmd.Env = append(os.Environ(),
		"DISPLAY="+display,
		"HOME="+profile,
		"XDG_CONFIG_HOME="+config,
		"XDG_DATA_HOME="+filepath.Join(profile, "data"),
		"XDG_CACHE_HOME="+filepath.Join(profile, "cache"),
		"WEBKIT_DISABLE_COMPOSITING_MODE=1",
		"GDK_BACKEND=x11",
		"NO_AT_BRIDGE=1",
	)
	if opt.JITLess {
		cmd.Env = append(cmd.Env, "JSC_useJIT=0")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, err := os.Create(filepath.Join(profile, "webkitwebdriver.log"))
	if err != nil {
		return nil, fmt.Errorf("webkit log: %w", err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start WebKitWebDriver: %w", err)
	}
	wk.procs = append(wk.procs, cmd)
	wk.wd = &webdriverClient{base: "http://127.0.0.1:" + strconv.Itoa(port), http: &http.Client{Timeout: 120 * time.Second}}
	if err := wk.wd.waitReady(20 * time.Second); err != nil {
		return nil, err
	}
	w, h := opt.size()
	err = wk.wd.newSession(map[string]any{
		"browserName":         "MiniBrowser",
		"pageLoadStrategy":    "normal",
		"acceptInsecureCerts": false,
		"proxy": map[string]any{
			"proxyType": "manual",
			"httpProxy": wk.proxy.addr,
			"noProxy":   []string{},
		},
		"webkitgtk:browserOptions": map[string]any{
			"binary": miniBrowserPath(),
			"args":   []string{"--automation", "--proxy=http://" + wk.proxy.addr, "--ignore-host="},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webkit session: %w", err)
	}
	if err := wk.wd.do("POST", "/timeouts", map[string]any{"script": 120_000, "pageLoad": 120_000}, nil); err != nil {
		return nil, err
	}
	if err := wk.wd.do("POST", "/window/rect", map[string]any{"width": w, "height": h}, nil); err != nil {
		return nil, err
	}
	return wk, nil
}

// startXvfb starts an X server on a free display and returns its name.
func startXvfb() (string, *exec.Cmd, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, fmt.Errorf("xvfb: %w", err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1920x1200x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			cmd.Process.Kill()
			cmd.Wait()
			return "", nil, errors.New("xvfb: no display number")
		}
		return ":" + n, cmd, nil
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return "", nil, errors.New("xvfb: no display after 20 s")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (d *webkitDriver) Engine() string { return WebKit }

func (d *webkitDriver) Navigate(url string) error {
	if err := d.wd.navigate(url); err != nil {
		return fmt.Errorf("webkit: navigate to %s: %w", url, err)
	}
	return nil
}

func (d *webkitDriver) Reload() error {
	if err := d.wd.reload(); err != nil {
		return fmt.Errorf("webkit: reload: %w", err)
	}
	return nil
}

func (d *webkitDriver) Eval(expr string, out any) error {
	text, err := d.wd.eval(expr)
	if err != nil {
		return fmt.Errorf("webkit: eval %.80q: %w", expr, err)
	}
	return decodeJSON(expr, text, out)
}

func (d *webkitDriver) Type(selector, text string) error {
	var focused bool
	if err := d.Eval(focusJS(selector), &focused); err != nil {
		return err
	}
	if !focused {
		return fmt.Errorf("webkit: cannot focus %q", selector)
	}
	if err := d.wd.keys(text); err != nil {
		return fmt.Errorf("webkit: type into %q: %w", selector, err)
	}
	return nil
}

func (d *webkitDriver) Click(selector string) error {
	p, err := locate(d, selector)
	if err != nil {
		return fmt.Errorf("webkit: click: %w", err)
	}
	if err := d.wd.click(p); err != nil {
		return fmt.Errorf("webkit: click %q: %w", selector, err)
	}
	return nil
}

func (d *webkitDriver) Screenshot() ([]byte, error) {
	png, err := d.wd.screenshot()
	if err != nil {
		return nil, fmt.Errorf("webkit: screenshot: %w", err)
	}
	return png, nil
}

func (d *webkitDriver) Requests() []string { return d.proxy.seen() }

func (d *webkitDriver) Tabs() ([]string, error) {
	urls, err := d.wd.tabs()
	if err != nil {
		return nil, fmt.Errorf("webkit: tabs: %w", err)
	}
	return urls, nil
}

func (d *webkitDriver) DownloadDir() string { return d.downloads }

func (d *webkitDriver) Close() error {
	if d.wd != nil {
		d.wd.deleteSession()
	}
	for i := len(d.procs) - 1; i >= 0; i-- {
		p := d.procs[i]
		syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	if d.proxy != nil {
		d.proxy.close()
	}
	return removeProfile(d.profile)
}

// recordingProxy is an HTTP proxy on loopback that records every request
// and forwards only those to this machine; anything else is refused, so a
// test can see it without the request leaving.
type recordingProxy struct {
	addr string
	srv  *http.Server
	mu   sync.Mutex
	urls []string
}

func startRecordingProxy() (*recordingProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("recording proxy: %w", err)
	}
	p := &recordingProxy{addr: l.Addr().String()}
	forward := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.Out.URL = r.In.URL; r.Out.Host = r.In.Host },
		FlushInterval: -1, // event streams (the live preview) pass at once
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := r.URL.String()
		if r.Method == http.MethodConnect {
			u = "https://" + r.Host + "/"
		}
		p.mu.Lock()
		p.urls = append(p.urls, u)
		p.mu.Unlock()
		if r.Method == http.MethodConnect || !r.URL.IsAbs() || !IsLocal(u) {
			http.Error(w, "browsertest: request off the machine refused", http.StatusBadGateway)
			return
		}
		forward.ServeHTTP(w, r)
	})}
	go p.srv.Serve(l)
	return p, nil
}

func (p *recordingProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.urls...)
}

func (p *recordingProxy) close() { p.srv.Close() }
