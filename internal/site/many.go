package site

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/unlockpage"
	"github.com/caseport/caseport/internal/workpool"
)

// Many is the outcome of one case of BuildMany.
type Many struct {
	// Dir is the case folder as given.
	Dir string
	// ID is the case id, once the case loaded.
	ID string
	// Result is as from Build; it may come with Err (see Build).
	Result *Result
	Err    error
}

// BuildMany builds each case folder of caseDirs into its own portal under
// outDir: outDir/ID, or with opt.SingleFile outDir/ID.html, where ID is the
// case id. At most workers builds run at once (0 means GOMAXPROCS): a
// build of a small case is mostly one scrypt per reader, on one core, so
// builds side by side use every core. Every case is loaded before any is
// built, so that two folders with the same case id are refused before
// their portals would overwrite each other. A failed case does not stop
// the others. The outcomes are in the order of caseDirs.
func BuildMany(caseDirs []string, outDir string, workers int, opt Options) []Many {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if opt.unlock == nil {
		// One load of the unlock page per language for all the cases.
		opt.unlock = &unlockpage.Cache{Files: opt.Files}
	}
	res := make([]Many, len(caseDirs))
	cases := make([]*casedir.Case, len(caseDirs))
	loads := make([]time.Duration, len(caseDirs))
	workpool.Run(len(caseDirs), workers, func(i int) error {
		res[i].Dir = caseDirs[i]
		start := time.Now()
		c, err := casedir.Load(caseDirs[i])
		if err != nil {
			res[i].Err = err // this case's outcome: the others go on
			return nil
		}
		cases[i], res[i].ID, loads[i] = c, c.ID, time.Since(start)
		return nil
	})

	first := map[string]int{}
	for i, c := range cases {
		if c == nil {
			continue
		}
		if k, ok := first[c.ID]; ok {
			res[i].Err = fmt.Errorf("case %s in %s has the id of %s: each case needs its own id, which names its portal", c.ID, caseDirs[i], caseDirs[k])
			cases[i] = nil
			continue
		}
		first[c.ID] = i
	}

	workpool.Run(len(cases), workers, func(i int) error {
		c := cases[i]
		if c == nil {
			return nil
		}
		out := filepath.Join(outDir, c.ID)
		if opt.SingleFile {
			out += ".html"
		}
		r, err := buildLoaded(c, out, opt)
		if r != nil {
			r.Timings.Load = loads[i]
		}
		res[i].Result, res[i].Err = r, err
		return nil
	})
	return res
}
