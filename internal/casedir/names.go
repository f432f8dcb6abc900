package casedir

import "regexp"

// The shapes of the names the case format constrains. Whoever else checks
// such a name (caseport new, the renderer, the unlock page) asks these
// functions, so that a name the loader accepts is accepted everywhere.
var (
	idPattern    = regexp.MustCompile(`^[a-z0-9-]{3,64}$`)
	themePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	langPattern  = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// ValidID reports whether id has the shape of a case id: 3 to 64 lower-case
// letters, digits and dashes.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// ValidThemeName reports whether name can name a theme: up to 64 lower-case
// letters, digits, - and _, starting with a letter or digit.
func ValidThemeName(name string) bool { return themePattern.MatchString(name) }

// ValidLanguage reports whether tag has the shape of a BCP 47 language tag
// as the case format takes it: "en", "ru-RU", "pt-BR".
func ValidLanguage(tag string) bool { return langPattern.MatchString(tag) }
