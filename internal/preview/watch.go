package preview

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watcher watches the case directory and the extra folders recursively and
// calls build once per burst of changes.
type watcher struct {
	s     *Server
	fw    *fsnotify.Watcher
	roots []watchRoot
}

// watchRoot is a watched tree and how its files are named in the log.
type watchRoot struct {
	dir  string // absolute
	base string // names are relative to base: the case dir, or a root's parent
}

func newWatcher(s *Server) (*watcher, error) {
	fw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", s.dir, err)
	}
	w := &watcher{s: s, fw: fw}
	w.roots = append(w.roots, watchRoot{dir: s.dir, base: s.dir})
	for _, d := range s.opt.WatchDirs {
		abs, err := filepath.Abs(d)
		if err == nil {
			abs, err = filepath.EvalSymlinks(abs)
		}
		if err != nil {
			fw.Close()
			return nil, fmt.Errorf("watch %s: %w", d, err)
		}
		w.roots = append(w.roots, watchRoot{dir: abs, base: filepath.Dir(abs)})
	}
	for _, r := range w.roots {
		if _, err := w.addTree(r.dir); err != nil {
			fw.Close()
			return nil, err
		}
	}
	return w, nil
}

// addTree watches dir and every folder below it, and returns the files
// found, so that files created in a new folder before its watch existed are
// not missed.
func (w *watcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // a folder removed while walking
		}
		if ignored(d.Name()) && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != dir && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if err := w.fw.Add(path); err != nil {
				return fmt.Errorf("watch %s: %w (on Linux, raise fs.inotify.max_user_watches)", path, err)
			}
			return nil
		}
		files = append(files, path)
		return nil
	})
	return files, err
}

func (w *watcher) close() { w.fw.Close() }

// loop collects events until a quiet period passes, then builds. It runs
// until the watcher is closed. Builds run on this goroutine, so they never
// overlap; events arriving meanwhile make the next burst.
func (w *watcher) loop() {
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if names := w.handle(ev); len(names) > 0 {
				for _, n := range names {
					pending[n] = true
				}
				timer.Reset(w.s.opt.Quiet)
			}
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			// An overflow loses events: rebuild to be safe.
			fmt.Fprintf(w.s.opt.Log, "watch: %v; rebuilding\n", err)
			pending["(lost events)"] = true
			timer.Reset(w.s.opt.Quiet)
		case <-timer.C:
			names := make([]string, 0, len(pending))
			for n := range pending {
				names = append(names, n)
			}
			sort.Strings(names)
			clear(pending)
			w.s.build(names)
		}
	}
}

// handle looks at one event and returns the names of the files it changed,
// as the log shows them; none when the event does not matter.
func (w *watcher) handle(ev fsnotify.Event) []string {
	if ignored(filepath.Base(ev.Name)) {
		return nil
	}
	// Chmod alone (touch, an editor restoring permissions, a virus
	// scanner) changes nothing the portal shows.
	if ev.Op == fsnotify.Chmod {
		return nil
	}
	names := []string{w.name(ev.Name)}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			files, err := w.addTree(ev.Name)
			if err != nil {
				fmt.Fprintf(w.s.opt.Log, "%v\n", err)
			}
			for _, f := range files {
				names = append(names, w.name(f))
			}
		}
	}
	return names
}

// name returns the path as the log shows it: relative to the case
// directory, or "themes/default/style.css" for a watched extra folder.
func (w *watcher) name(path string) string {
	for _, r := range w.roots {
		if path == r.dir || strings.HasPrefix(path, r.dir+string(filepath.Separator)) {
			if rel, err := filepath.Rel(r.base, path); err == nil {
				return filepath.ToSlash(rel)
			}
		}
	}
	return path
}

// ignored reports whether a file name is an editor's swap, backup or lock
// file, or the Finder's metadata: saving makes these, and they never belong
// to a case.
func ignored(base string) bool {
	switch {
	case base == "4913", base == ".DS_Store":
		return true // vim's write test file; macOS Finder metadata
	case strings.HasSuffix(base, "~"):
		return true // backups of vim, emacs, gedit
	case strings.HasPrefix(base, ".#"):
		return true // emacs lock files
	case strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"):
		return true // emacs auto-save files
	case strings.HasPrefix(base, ".goutputstream-"):
		return true // gedit and other GTK editors' atomic saves
	case strings.HasPrefix(base, "~$"):
		return true // Microsoft Office and LibreOffice lock files
	case strings.HasPrefix(base, ".~lock.") && strings.HasSuffix(base, "#"):
		return true // LibreOffice lock files
	case strings.HasSuffix(base, "___jb_tmp___"), strings.HasSuffix(base, "___jb_old___"):
		return true // JetBrains editors' safe writes
	case strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp"):
		return true // atomic saves to a hidden ".NAME.tmpXXXX" (VS Code, many tools)
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".swp", ".swx", ".swo", ".kate-swp":
		return true // vim and kate swap files
	case ".tmp", ".crdownload", ".part":
		return true // temporary files, downloads still being written
	}
	return false
}
