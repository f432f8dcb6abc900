// Package casedir loads and validates a case directory: the coordinator's
// folder of case.toml, Markdown files and attachments described in the case
// format (format 1). Load returns either a validated Case or every problem it
// found, each naming the file, line and key, so a coordinator can fix a
// folder in one pass. The package only ever reads the case directory.
package casedir

import "github.com/yuin/goldmark/ast"

// FormatVersion is the version of the case format this package implements.
const FormatVersion = 1

// Case is a validated case directory. Optional records that are absent are
// nil (pointers) or empty (slices); optional text is "".
type Case struct {
	// Dir is the absolute path of the case directory.
	Dir string

	Format     int
	ID         string
	Title      string
	Language   string // BCP 47 tag; "en" when not given
	PreparedBy string
	PreparedOn Date   // always a full date
	Theme      string // optional extension: the portal theme; "" means the default

	Patient   Patient
	Request   Request
	Diagnosis Diagnosis
	// Stage is the current staging: the latest of Stages by date (the only
	// one for a case with one [stage] table); nil when there is none.
	Stage *Stage
	// Stages is every staging ([stage] or [[stage]]) in date order; Stage
	// points into it.
	Stages []Stage
	// DiseaseStatus is every [[disease_status]] in date order.
	DiseaseStatus []DiseaseStatus
	// Metastases is every [[metastases]] entry in file order.
	Metastases  []Metastasis
	Biomarkers  []Biomarker
	Imaging     []Imaging
	Pathology   []Pathology
	Treatments  []Treatment
	Plan        Plan
	Labs        []Lab
	Medications []Medication
	Allergies   []Allergy
	Conditions  []Condition
	History     History
	Events      []Event
	Documents   []Document
	Readers     []Reader
	// Assessments are the dated [[assessments]] in date order.
	Assessments []Assessment
	// Translations are the [[translations]] of attached records.
	Translations []Translation
	Reply        Reply

	// Questions is questions.md, parsed.
	Questions Questions
	// Summary and Notes are summary.md and notes.md; nil when the file is absent.
	Summary *Markdown
	Notes   *Markdown

	// Attachments lists every file the case references, each once, in the
	// order of its first reference in case.toml.
	Attachments []*Attachment
	// Unreferenced lists files in the case directory that nothing references
	// (slash-separated, relative to Dir), excluding case.toml and the Markdown
	// files. They are reported by check and never put into the portal.
	Unreferenced []string
	// Warnings are problems that do not stop the case from loading, such as
	// raw HTML in Markdown, which the portal does not show.
	Warnings []Problem
	// Placeholders are warnings too: what "caseport new" wrote for the
	// coordinator to replace and is still there (a value marked
	// Placeholder, a guiding paragraph), each with its file, line and key.
	// check lists them; build refuses a case that has any.
	Placeholders []Problem
}

// Patient is the [patient] table.
type Patient struct {
	Alias             string
	Name              string // real name; shown only when present
	Sex               string // female | male | other | unknown; "" when not given
	BirthYear         int    // 0 when not given; set from BirthDate when that is given
	BirthDate         Date
	Country           string
	Languages         []string
	PerformanceStatus string
	HeightCM          float64 // 0 when not given
	WeightKG          float64 // 0 when not given
	MenopausalStatus  string  // pre | peri | post | not-applicable | unknown; "" when not given
	Pregnancy         string  // pregnant | not-pregnant | unknown; "" when not given
	Fertility         string
	Goals             string // what the patient wants from treatment, in their words
}

// Request is the [request] table: what the second opinion must answer.
type Request struct {
	Mode          string // remote | in-person | either
	Urgency       string // routine | soon | urgent
	ReplyBy       Date
	ReplyLanguage string
	ReplyFormat   string
	Reason        string
}

// Diagnosis is the [diagnosis] table.
type Diagnosis struct {
	Name      string
	Site      string
	ICD10     string
	Histology string
	Grade     string
	Date      Date
	Basis     string
}

// Stage is one staging: the [stage] table or one [[stage]] entry.
type Stage struct {
	System  string
	Kind    string // clinical | pathological | post-therapy | recurrence
	T, N, M string
	Group   string
	Date    Date
	Basis   string // what the staging rests on
	Notes   string
	// Key is the staging's key path in case.toml: "stage" or "stage[2]".
	Key string
}

// DiseaseStatus is one [[disease_status]] entry (mCODE CancerDiseaseStatus).
type DiseaseStatus struct {
	Date     Date
	Status   string // no-evidence | responding | stable | progressing | mixed | not-assessed
	Basis    string // imaging | pathology | clinical | marker | other; "" when not given
	Criteria string // e.g. "RECIST 1.1"
	Details  string
	Document *Attachment
}

// Metastasis is one [[metastases]] entry (mCODE SecondaryCancerCondition).
type Metastasis struct {
	Site     string
	Date     Date // when found; zero when not given
	Basis    string
	Details  string
	Document *Attachment
}

// Biomarker is one [[biomarkers]] entry.
type Biomarker struct {
	Name   string
	Status string // resulted | pending | not-done; "resulted" when not given
	// Result is the result as written; for a pending or not-done marker it
	// may say why, and is never a result.
	Result   string
	Method   string
	Date     Date
	Document *Attachment

	Gene         string
	HGVSc        string  // e.g. "c.34G>T"
	HGVSp        string  // e.g. "p.G12C"
	VAF          float64 // variant allele fraction in percent; HasVAF says whether given
	HasVAF       bool
	Origin       string  // somatic | germline | unknown; "" when not given
	Significance string  // pathogenic | likely-pathogenic | uncertain | likely-benign | benign
	Value        float64 // a scored marker's number; HasValue says whether given
	HasValue     bool
	Unit         string
	Threshold    string
	Specimen     string
}

// Resulted reports whether the marker has a result to show (status
// "resulted"), as opposed to a pending or not-done test.
func (b Biomarker) Resulted() bool { return b.Status == "resulted" }

// Imaging is one [[imaging]] study.
type Imaging struct {
	Date     Date
	Modality string
	Region   string
	Report   *Attachment
	Images   *Attachment
	Link     string // an http or https URL
	Findings string
	// ComparedWith is the date of the earlier study this one was read
	// against (another [[imaging]] entry of the case); zero when not given.
	ComparedWith Date
	Response     string
}

// Pathology is one [[pathology]] specimen: a biopsy, resection, cytology or review.
type Pathology struct {
	Date     Date
	Kind     string // biopsy | resection | cytology | review
	Specimen string
	Lab      string
	Report   *Attachment
	Result   string
	Material *Material // nil when the table is absent
}

// Material is [pathology.material]: where the slides and blocks are.
type Material struct {
	Slides   int // -1 when not given
	Blocks   int // -1 when not given
	Location string
	Status   string // at-lab | requested | in-transit | received | not-available; "" when not given
	Tracking string
	Note     string
}

// Treatment is one [[treatments]] entry: something already received.
type Treatment struct {
	Kind     string
	Name     string
	Start    Date
	End      Date // zero when ongoing or unknown
	Cycles   int  // 0 when not given
	Dose     string
	Intent   string
	Response string
	Document *Attachment

	Line         int    // line of systemic therapy, 1, 2, ...; 0 when not given
	Status       string // ongoing | completed | stopped; "" when not given (never read as ongoing)
	EndReason    string // completed-as-planned | progression | toxicity | patient-choice | other
	BestResponse string // complete | partial | stable | progression | not-assessed
	Agents       []Agent
}

// Agent is one [[treatments.agents]] entry: a drug of a treatment.
type Agent struct {
	Name string
	Dose string
}

// Plan is the [plan] table: the treating team's current recommendation.
type Plan struct {
	Summary      string
	By           string
	Date         Date
	Document     *Attachment
	NextStep     string
	NextStepDate Date
}

// Lab is one [[labs]] result.
type Lab struct {
	Date     Date
	Name     string
	Value    LabValue
	Unit     string
	Range    string
	Marker   bool
	Document *Attachment
}

// LabValue is a lab result: a number, or text such as "<0.5".
type LabValue struct {
	Number   float64
	IsNumber bool
	Text     string // the value as written when it is not a number
}

// Medication is one [[medications]] entry.
type Medication struct {
	Name  string // "none" records that the patient takes none
	Dose  string
	Since Date
	Kind  string // "supplement" for a supplement or herbal product; "" otherwise
}

// Assessment is one dated [[assessments]] entry.
type Assessment struct {
	Date  Date
	Kind  string // ecog | karnofsky | weight | height | other
	Value float64
	Note  string
}

// Translation is one [[translations]] entry: a translation of an attached record.
type Translation struct {
	Original *Attachment
	File     *Attachment
	Language string
	By       string
}

// Allergy is one [[allergies]] entry. Substance "none known" records that
// there are none.
type Allergy struct {
	Substance string
	Reaction  string
}

// Condition is one [[conditions]] entry: another health condition.
type Condition struct {
	Name  string
	Since Date
}

// History is the [history] table.
type History struct {
	Family   string
	Symptoms string
	Social   string
}

// Event is one [[events]] timeline entry.
type Event struct {
	Date     Date
	Kind     string
	Title    string
	Details  string
	Document *Attachment
}

// Document is one [[documents]] entry: any other file.
type Document struct {
	Title string
	File  *Attachment
	Date  Date
	Kind  string // discharge | operative | consultation | letter | lab | other; "" when not given
}

// Reader is one [[readers]] entry: someone who may open the portal.
type Reader struct {
	Name string
	// Recipient is an optional extension: an age public key ("age1...") for a
	// reader who uses age, instead of a passphrase.
	Recipient string
}

// Reply is the optional [reply] table: where the doctor's reply, sealed in
// the portal, goes.
type Reply struct {
	// Enabled is false when the case says enabled = false: the portal then
	// has no reply form. True when the table or key is absent.
	Enabled bool
	// Recipient is an age public key ("age1...") to seal replies to instead
	// of the coordinator's own key, such as an organisation's; "" means the
	// coordinator's key from the key store.
	Recipient string
}

// RepliesDir is the folder of a case where "caseport reply import" keeps the
// doctors' decrypted replies. check does not count its files as unreferenced.
const RepliesDir = "replies"

// Attachment is a file inside the case directory that case.toml references.
// Several keys may reference the same file; it is one Attachment.
type Attachment struct {
	// Path is relative to the case directory, slash-separated, as written.
	Path string
	// Abs is the absolute path on disk.
	Abs string
	// Size is the size in bytes when the case was loaded.
	Size int64
	// RefBy lists the key paths that reference the file, e.g. "imaging[1].report".
	RefBy []string
}

// Markdown is a parsed Markdown file of the case.
type Markdown struct {
	// Path is the file name relative to the case directory ("summary.md").
	Path string
	// Source is the file's bytes (valid UTF-8).
	Source []byte
	// Doc is the goldmark syntax tree of Source.
	Doc ast.Node
}

// Questions is questions.md: its Markdown and the questions found in it.
type Questions struct {
	Markdown
	// Groups are the questions under each heading, in file order. Questions
	// before the first heading form a group with an empty Heading.
	Groups []QuestionGroup
}

// QuestionGroup is the questions under one heading of questions.md.
type QuestionGroup struct {
	Heading string // the heading's plain text
	Level   int    // the heading's level, 1 to 6; 0 for the group before any heading
	Items   []Question
}

// Question is one list item of questions.md.
type Question struct {
	// Number counts questions across the whole file from 1, so a doctor can
	// answer "Q3".
	Number int
	// Text is the item's plain text.
	Text string
	// Node is the list item in Questions.Doc, for rendering with its formatting.
	Node ast.Node
}

// Count returns how many questions the file holds.
func (q Questions) Count() int {
	n := 0
	for _, g := range q.Groups {
		n += len(g.Items)
	}
	return n
}
