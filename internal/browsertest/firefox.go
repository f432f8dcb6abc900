package browsertest

import "errors"

func firefoxPath() string { return "" }

func startFirefox(opt Options) (Driver, error) { return nil, errors.New("firefox: not yet driven") }
