package browsertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// webdriverClient speaks W3C WebDriver (classic: JSON over HTTP) to one
// session of a driver such as WebKitWebDriver.
type webdriverClient struct {
	base    string // http://127.0.0.1:PORT
	session string
	http    *http.Client
}

// webdriverError is the error object of a failed WebDriver command.
type webdriverError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// do sends a command and decodes the "value" of its reply into out.
func (c *webdriverClient) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("webdriver %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	url := c.base + path
	if c.session != "" {
		url = c.base + "/session/" + c.session + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: read reply: %w", method, path, err)
	}
	var reply struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return fmt.Errorf("webdriver %s %s: reply %.200q: %w", method, path, data, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e webdriverError
		json.Unmarshal(reply.Value, &e)
		return fmt.Errorf("webdriver %s %s: %s: %s", method, path, e.Error, e.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(reply.Value, out); err != nil {
		return fmt.Errorf("webdriver %s %s: value %.200q: %w", method, path, reply.Value, err)
	}
	return nil
}

// waitReady polls the driver's /status until it answers.
func (c *webdriverClient) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.http.Get(c.base + "/status")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("webdriver at %s not ready after %v: %v", c.base, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *webdriverClient) newSession(capabilities map[string]any) error {
	var reply struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.do("POST", "/session", map[string]any{"capabilities": map[string]any{"alwaysMatch": capabilities}}, &reply); err != nil {
		return err
	}
	c.session = reply.SessionID
	return nil
}

func (c *webdriverClient) navigate(url string) error {
	return c.do("POST", "/url", map[string]any{"url": url}, nil)
}

func (c *webdriverClient) reload() error {
	return c.do("POST", "/refresh", map[string]any{}, nil)
}

// eval runs expr as an asynchronous script, so that a promise is awaited
// in every driver, and returns its JSON text.
func (c *webdriverClient) eval(expr string) (string, error) {
	script := `const done = arguments[arguments.length - 1];
(` + jsonWrapped(expr) + `).then(v => done({ok: v}), e => done({error: String(e && e.stack || e)}));`
	var out struct {
		OK    *string `json:"ok"`
		Error string  `json:"error"`
	}
	if err := c.do("POST", "/execute/async", map[string]any{"script": script, "args": []any{}}, &out); err != nil {
		return "", err
	}
	if out.OK == nil {
		return "", fmt.Errorf("script error: %s", out.Error)
	}
	return *out.OK, nil
}

func (c *webdriverClient) click(p point) error {
	return c.do("POST", "/actions", map[string]any{"actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
		"actions": []any{
			map[string]any{"type": "pointerMove", "duration": 0, "x": p.X, "y": p.Y, "origin": "viewport"},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		},
	}}}, nil)
}

// keys types text into the focused element; "\n" is Enter.
func (c *webdriverClient) keys(text string) error {
	var acts []any
	for _, r := range text {
		k := string(r)
		if r == '\n' {
			k = "\uE007"
		}
		acts = append(acts, map[string]any{"type": "keyDown", "value": k}, map[string]any{"type": "keyUp", "value": k})
	}
	return c.do("POST", "/actions", map[string]any{"actions": []any{map[string]any{
		"type": "key", "id": "keyboard", "actions": acts,
	}}}, nil)
}

func (c *webdriverClient) screenshot() ([]byte, error) {
	var b64 string
	if err := c.do("GET", "/screenshot", nil, &b64); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(b64)
}

// tabs returns the URL of every window, switching to each and back.
func (c *webdriverClient) tabs() ([]string, error) {
	var current string
	if err := c.do("GET", "/window", nil, &current); err != nil {
		return nil, err
	}
	var handles []string
	if err := c.do("GET", "/window/handles", nil, &handles); err != nil {
		return nil, err
	}
	var urls []string
	for _, h := range handles {
		if h == current {
			var u string
			if err := c.do("GET", "/url", nil, &u); err != nil {
				return nil, err
			}
			urls = append(urls, u)
			continue
		}
		if err := c.do("POST", "/window", map[string]any{"handle": h}, nil); err != nil {
			return nil, err
		}
		var u string
		err := c.do("GET", "/url", nil, &u)
		if err2 := c.do("POST", "/window", map[string]any{"handle": current}, nil); err2 != nil {
			return nil, err2
		}
		if err != nil {
			return nil, err
		}
		urls = append(urls, u)
	}
	return urls, nil
}

func (c *webdriverClient) deleteSession() error {
	if c.session == "" {
		return nil
	}
	err := c.do("DELETE", "", nil, nil)
	c.session = ""
	return err
}
