// Package workpool runs numbered pieces of work on a bounded number of
// goroutines. The sealer runs its key slots and payloads on it, and a build
// of many cases its loads and builds: one pool, so that both stop the same
// way and bound their goroutines the same way.
package workpool

import "sync"

// Run calls f(0) to f(n-1) on at most workers goroutines (at least one) and
// returns the first error. After an error, the calls not yet started are
// not made; those running finish.
func Run(n, workers int, f func(i int) error) error {
	var (
		mu       sync.Mutex
		next     int
		firstErr error
		wg       sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || next == n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range min(max(workers, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, ok := take(); ok; i, ok = take() {
				if err := f(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
