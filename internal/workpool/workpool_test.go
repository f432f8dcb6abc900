package workpool

import (
	"errors"
	"sync/atomic"
	"testing"
)

// TestRunBoundsAndStops: every call is made once with no more than the
// workers running at a time, and after an error no new call starts.
func TestRunBoundsAndStops(t *testing.T) {
	t.Parallel()
	var running, most, calls atomic.Int64
	seen := make([]atomic.Bool, 100)
	err := Run(100, 3, func(i int) error {
		if seen[i].Swap(true) {
			t.Errorf("call %d made twice", i)
		}
		calls.Add(1)
		r := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
		}
		return nil
	})
	if err != nil || calls.Load() != 100 || most.Load() > 3 {
		t.Errorf("err %v, %d calls, %d at once (want nil, 100, <= 3)", err, calls.Load(), most.Load())
	}

	calls.Store(0)
	boom := errors.New("boom")
	err = Run(100, 1, func(i int) error {
		calls.Add(1)
		if i == 4 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls.Load() != 5 {
		t.Errorf("after an error at call 4 on one worker: err %v, %d calls (want boom, 5)", err, calls.Load())
	}
	if err := Run(0, 4, func(int) error { t.Error("called with n = 0"); return nil }); err != nil {
		t.Error(err)
	}
}
