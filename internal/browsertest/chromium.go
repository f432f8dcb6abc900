package browsertest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumDriver drives headless Chromium over the DevTools protocol.
type chromiumDriver struct {
	ctx         context.Context
	cancel      func()
	profile     string
	downloads   string
	mu          sync.Mutex
	requests    []string
	actionLimit time.Duration
}

func startChromium(opt Options) (Driver, error) {
	profile, err := tempProfile(Chromium)
	if err != nil {
		return nil, err
	}
	w, h := opt.size()
	opts := append(chromiumOptions(ChromiumPath(), filepath.Join(profile, "profile")),
		chromedp.WindowSize(w, h),
		// The theme turns smooth scrolling off for reduced motion; tests
		// ask for it so that a click lands where the element is.
		chromedp.Flag("force-prefers-reduced-motion", true),
	)
	if opt.JITLess {
		opts = append(opts, chromedp.Flag("js-flags", "--jitless"))
	}
	if len(opt.HostRules) > 0 {
		var rules []string
		for _, host := range opt.HostRules {
			rules = append(rules, "MAP "+host+" 127.0.0.1")
		}
		opts = append(opts, chromedp.Flag("host-resolver-rules", strings.Join(rules, ", ")))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	d := &chromiumDriver{
		ctx:         ctx,
		cancel:      func() { chromedp.Cancel(ctx); cancelCtx(); cancelAlloc() },
		profile:     profile,
		downloads:   filepath.Join(profile, "downloads"),
		actionLimit: 60 * time.Second,
	}
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			d.mu.Lock()
			d.requests = append(d.requests, e.Request.URL)
			d.mu.Unlock()
		}
	})
	// The first Run starts the browser and binds it to its context: the
	// driver's own, not one with a deadline.
	if err := chromedp.Run(ctx, network.Enable(),
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(d.downloads)); err != nil {
		d.cancel()
		removeProfile(profile)
		return nil, fmt.Errorf("chromium %s: %w", ChromiumPath(), err)
	}
	return d, nil
}

func (d *chromiumDriver) run(actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(d.ctx, d.actionLimit)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}

func (d *chromiumDriver) Engine() string { return Chromium }

func (d *chromiumDriver) Navigate(url string) error {
	if err := d.run(chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("chromium: navigate to %s: %w", url, err)
	}
	return nil
}

func (d *chromiumDriver) Reload() error {
	if err := d.run(chromedp.Reload()); err != nil {
		return fmt.Errorf("chromium: reload: %w", err)
	}
	return nil
}

func (d *chromiumDriver) Eval(expr string, out any) error {
	var text string
	err := d.run(chromedp.Evaluate(jsonWrapped(expr), &text, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if err != nil {
		return fmt.Errorf("chromium: eval %.80q: %w", expr, err)
	}
	return decodeJSON(expr, text, out)
}

func (d *chromiumDriver) Type(selector, text string) error {
	var focused bool
	if err := d.Eval(focusJS(selector), &focused); err != nil {
		return err
	}
	if !focused {
		return fmt.Errorf("chromium: cannot focus %q", selector)
	}
	// Keys go to the focused element; SendKeys with a selector would move
	// the caret to the start of the field first.
	if err := d.run(chromedp.KeyEvent(strings.ReplaceAll(text, "\n", kb.Enter))); err != nil {
		return fmt.Errorf("chromium: type into %q: %w", selector, err)
	}
	return nil
}

func (d *chromiumDriver) Click(selector string) error {
	p, err := locate(d, selector)
	if err != nil {
		return fmt.Errorf("chromium: click: %w", err)
	}
	if err := d.run(chromedp.MouseClickXY(float64(p.X), float64(p.Y))); err != nil {
		return fmt.Errorf("chromium: click %q: %w", selector, err)
	}
	return nil
}

func (d *chromiumDriver) Screenshot() ([]byte, error) {
	var png []byte
	if err := d.run(chromedp.CaptureScreenshot(&png)); err != nil {
		return nil, fmt.Errorf("chromium: screenshot: %w", err)
	}
	return png, nil
}

func (d *chromiumDriver) Requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.requests...)
}

func (d *chromiumDriver) Tabs() ([]string, error) {
	infos, err := chromedp.Targets(d.ctx)
	if err != nil {
		return nil, fmt.Errorf("chromium: tabs: %w", err)
	}
	var urls []string
	for _, ti := range infos {
		if ti.Type == "page" {
			urls = append(urls, ti.URL)
		}
	}
	return urls, nil
}

func (d *chromiumDriver) DownloadDir() string { return d.downloads }

func (d *chromiumDriver) Close() error {
	d.cancel()
	return removeProfile(d.profile)
}
