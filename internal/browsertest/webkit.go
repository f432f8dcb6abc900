package browsertest

import "errors"

func miniBrowserPath() string { return "" }

func startWebKit(opt Options) (Driver, error) { return nil, errors.New("webkit: not yet driven") }
