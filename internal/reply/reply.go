// Package reply is the doctor's reply to a second-opinion request: the small
// versioned JSON document that the portal's reply form ("Your reply") seals
// in the browser with age to the coordinator's key, and its opening on the
// coordinator's side.
//
// The document travels as an ASCII-armoured age file, so the doctor can
// paste it into an e-mail or a messenger. Open accepts it as pasted: with
// text around it, indented or re-wrapped by a mail program. It tells a reply
// sealed to another key (ErrNotForThisKey) from one that was altered
// (*AlteredError): age authenticates every byte, so an altered reply never
// opens. Import keeps the decrypted document in the case folder under
// replies/, named by its content, so importing it twice changes nothing.
package reply

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// Version is the version of the reply document this package reads, its
// "caseport_reply" field.
const Version = 1

// MaxSize bounds a sealed reply: a doctor's text is kilobytes; a larger
// input is the wrong file.
const MaxSize = 4 << 20

// The reviewer's view of the treating team's current plan: Document.Plan.
const (
	PlanAgree        = "agree"
	PlanWithChanges  = "agree-with-changes"
	PlanDisagree     = "disagree"
	PlanCannotSay    = "cannot-say"
	PlanNotGiven     = ""
	armorHeader      = "-----BEGIN AGE ENCRYPTED FILE-----"
	armorFooter      = "-----END AGE ENCRYPTED FILE-----"
	armorColumnWidth = 64
)

// PlanLabel returns the English words of a plan view, for printing.
func PlanLabel(plan string) string {
	switch plan {
	case PlanAgree:
		return "agree"
	case PlanWithChanges:
		return "agree with changes"
	case PlanDisagree:
		return "disagree"
	case PlanCannotSay:
		return "cannot say"
	case PlanNotGiven:
		return "(not given)"
	}
	return plan
}

// Document is the reply as sealed: JSON, made by the portal's browser code
// (themes/default/unlock/src/reply.js).
type Document struct {
	// Format is Version.
	Format int `json:"caseport_reply"`
	// Case is the case id; Portal the id of the portal build answered
	// (its manifest's payload name).
	Case   string `json:"case"`
	Portal string `json:"portal"`
	// Language is the portal's language.
	Language string `json:"language,omitempty"`
	// Reviewer is the doctor's name and credentials, as they wrote them.
	Reviewer string `json:"reviewer"`
	// Date is when the reply was sealed, RFC 3339, by the doctor's clock.
	Date string `json:"date"`
	// Answers has one entry per question of the portal, in order.
	Answers    []Answer `json:"answers"`
	Conclusion string   `json:"conclusion"`
	// Plan is one of the Plan constants.
	Plan   string `json:"plan"`
	Workup string `json:"workup"`
}

// Answer is the doctor's answer to one question.
type Answer struct {
	// Question is the question's number: 3 for Q3.
	Question int `json:"question"`
	// Text is the question as the portal showed it.
	Text   string `json:"text"`
	Answer string `json:"answer"`
}

// ErrNotForThisKey is returned by Open for a reply sealed to another key.
var ErrNotForThisKey = errors.New("this reply is not for this coordinator: it was sealed to another key (built with another key store, or with a [reply] recipient in case.toml)")

// AlteredError is a reply that is for this key but does not decrypt: it was
// changed, cut short or damaged on the way.
type AlteredError struct {
	Err error // what age or the armour decoder said
}

func (e *AlteredError) Error() string {
	return fmt.Sprintf("this reply was altered or damaged on the way (%v): ask the doctor to send the sealed text again, in full", e.Err)
}

func (e *AlteredError) Unwrap() error { return e.Err }

// NotAReplyError is an age file for this key that is not a reply document.
type NotAReplyError struct {
	Err error
}

func (e *NotAReplyError) Error() string {
	return fmt.Sprintf("this decrypts, but is not a caseport reply (%v)", e.Err)
}

func (e *NotAReplyError) Unwrap() error { return e.Err }

// Open reads a sealed reply from r (armoured, as pasted, or binary age),
// decrypts it with identities and parses it. It returns the document and its
// plaintext, the exact bytes the doctor's browser sealed.
func Open(r io.Reader, identities ...age.Identity) (*Document, []byte, error) {
	in, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the reply: %w", err)
	}
	if len(in) > MaxSize {
		return nil, nil, fmt.Errorf("the input is over %d MiB: a sealed reply is a few kilobytes; is it the right file?", MaxSize>>20)
	}
	var src io.Reader
	if bytes.Contains(in, []byte(armorHeader)) {
		clean, err := dearmor(string(in))
		if err != nil {
			return nil, nil, &AlteredError{Err: err}
		}
		src = armor.NewReader(strings.NewReader(clean))
	} else if bytes.HasPrefix(in, []byte("age-encryption.org/")) {
		src = bytes.NewReader(in)
	} else {
		return nil, nil, errors.New("this is not a sealed reply: it has no line " + armorHeader + " (paste the whole sealed text, from BEGIN to END)")
	}
	plain, err := age.Decrypt(src, identities...)
	if err != nil {
		var none *age.NoIdentityMatchError
		if errors.As(err, &none) {
			return nil, nil, ErrNotForThisKey
		}
		return nil, nil, &AlteredError{Err: err}
	}
	data, err := io.ReadAll(io.LimitReader(plain, MaxSize+1))
	if err != nil {
		return nil, nil, &AlteredError{Err: err}
	}
	doc, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	return doc, data, nil
}

// dearmor finds the armoured age file in pasted text and gives it back as
// age's armour reader wants it: the header line, the base64 body in lines
// of 64 characters, the footer. Mail programs indent, quote ("> ") and
// re-wrap lines; none of that touches the base64 itself, which age then
// authenticates.
func dearmor(s string) (string, error) {
	start := strings.Index(s, armorHeader)
	end := strings.Index(s, armorFooter)
	if end < 0 {
		return "", errors.New("the sealed text is cut short: its last line " + armorFooter + " is missing")
	}
	if end < start {
		return "", errors.New("the END line comes before the BEGIN line")
	}
	var body strings.Builder
	for _, line := range strings.Split(s[start+len(armorHeader):end], "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimLeft(line, "> ") // quoted in a reply mail
		for _, c := range line {
			if c != ' ' && c != '\t' && c != '\r' {
				body.WriteRune(c)
			}
		}
	}
	b := body.String()
	var out strings.Builder
	out.WriteString(armorHeader + "\n")
	for len(b) > armorColumnWidth {
		out.WriteString(b[:armorColumnWidth] + "\n")
		b = b[armorColumnWidth:]
	}
	out.WriteString(b + "\n" + armorFooter + "\n")
	return out.String(), nil
}

// Parse reads a reply document's JSON and checks its version and fields.
func Parse(data []byte) (*Document, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&d); err != nil {
		return nil, &NotAReplyError{Err: err}
	}
	switch {
	case d.Format == 0:
		return nil, &NotAReplyError{Err: errors.New(`no "caseport_reply" version`)}
	case d.Format != Version:
		return nil, fmt.Errorf("this reply is of version %d; this caseport reads version %d: use a newer caseport", d.Format, Version)
	}
	switch d.Plan {
	case PlanAgree, PlanWithChanges, PlanDisagree, PlanCannotSay, PlanNotGiven:
	default:
		return nil, &NotAReplyError{Err: fmt.Errorf("plan %q is none of agree, agree-with-changes, disagree, cannot-say", d.Plan)}
	}
	for i, a := range d.Answers {
		if a.Question != i+1 {
			return nil, &NotAReplyError{Err: fmt.Errorf("answer %d is for question %d", i+1, a.Question)}
		}
	}
	return &d, nil
}

// WriteText prints the reply for people: every text exactly as the doctor
// wrote it, each under its heading.
func (d *Document) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Reply to case %s\n", d.Case)
	fmt.Fprintf(&b, "Reviewer: %s\n", orNone(d.Reviewer))
	fmt.Fprintf(&b, "Sealed:   %s\n", orNone(d.Date))
	fmt.Fprintf(&b, "Portal:   %s\n", d.Portal)
	for _, a := range d.Answers {
		fmt.Fprintf(&b, "\nQ%d. %s\n", a.Question, a.Text)
		fmt.Fprintf(&b, "%s\n", orNone(a.Answer))
	}
	fmt.Fprintf(&b, "\nConclusion:\n%s\n", orNone(d.Conclusion))
	fmt.Fprintf(&b, "\nThe current plan: %s\n", PlanLabel(d.Plan))
	fmt.Fprintf(&b, "\nFurther workup advised:\n%s\n", orNone(d.Workup))
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no answer)"
	}
	return s
}
