package sealtest

import (
	"fmt"
	"path"
	"reflect"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
)

// CaseNeedles returns the strings of a loaded case that its sealed portal
// must not reveal: every text value of case.toml (names, dates as written
// and as ISO dates, diagnosis, results...), every line of its Markdown files,
// and each attachment's path and file name. Values under MinNeedle bytes
// (such as "T3"), and words every unlock page carries, are left out.
func CaseNeedles(c *casedir.Case) []string {
	var out []string
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem())
		case reflect.Interface:
			// ast.Node trees: their text is in the Markdown sources.
		case reflect.String:
			out = append(out, v.String())
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				for _, line := range strings.Split(string(v.Bytes()), "\n") {
					out = append(out, strings.TrimSpace(line))
				}
				return
			}
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if d, ok := v.Interface().(casedir.Date); ok {
				if !d.IsZero() {
					out = append(out, d.String())
				}
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if f := v.Type().Field(i); f.IsExported() && f.Name != "Warnings" && f.Name != "RefBy" {
					walk(v.Field(i))
				}
			}
		case reflect.Float64:
			if f := v.Float(); f != 0 {
				out = append(out, fmt.Sprint(f))
			}
		}
	}
	walk(reflect.ValueOf(c))
	for _, a := range c.Attachments {
		out = append(out, a.Path, path.Base(a.Path))
	}
	// The case folder's own path and the warnings are not case content.
	var keep []string
	for _, s := range out {
		if s != c.Dir && !strings.HasPrefix(s, c.Dir+"/") {
			keep = append(keep, s)
		}
	}
	return filter(keep)
}
