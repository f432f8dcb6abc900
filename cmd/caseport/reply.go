package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/reply"
)

func init() {
	register(&command{
		name:    "reply",
		usage:   "key | open FILE [--json] [-i IDENTITY_FILE] | import CASE FILE [-i IDENTITY_FILE]",
		summary: "the doctor's sealed reply: print the coordinator's key, open a reply, keep it with its case",
		about: "key prints the coordinator's public key (made on first need in the key store, coordinator-identity.txt: " +
			"back it up, losing it loses the replies). open decrypts the reply FILE a doctor sealed in the portal " +
			"(- reads pasted text from standard input) and prints it; a reply sealed to another key and an altered one " +
			"are refused, each said. import stores the decrypted reply in CASE/replies/; importing it twice changes nothing.",
		order: 45,
		run:   runReply,
	})
}

// stdin is where "-" reads from; a variable so tests can paste.
var stdin io.Reader = os.Stdin

func runReply(args []string, stdout, stderr io.Writer) int {
	c := commands["reply"]
	if len(args) == 0 {
		fmt.Fprintf(stderr, "usage: caseport reply %s\n", c.usage)
		return exitUsage
	}
	switch args[0] {
	case "key":
		return runReplyKey(args[1:], stdout, stderr)
	case "open":
		return runReplyOpen(args[1:], stdout, stderr)
	case "import":
		return runReplyImport(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fs := newFlags(c, stdout)
		replyFlagSet(fs)
		fs.Usage()
		return exitOK
	}
	fmt.Fprintf(stderr, "caseport reply: unknown sub-command %q: use key, open or import\n", args[0])
	return exitUsage
}

// runReplyKey prints the coordinator's public key, making the key on first
// need, so it can be backed up and given to colleagues.
func runReplyKey(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: caseport reply key")
		return exitUsage
	}
	store, err := keystore.DefaultStore()
	if err != nil {
		fmt.Fprintf(stderr, "caseport reply key: %v\n", err)
		return exitFail
	}
	id, created, err := store.EnsureCoordinator()
	if err != nil {
		fmt.Fprintf(stderr, "caseport reply key: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, id.Recipient())
	if created {
		fmt.Fprintf(stderr, "New coordinator key: %s\nBack it up: losing it loses every reply sealed to it.\n", store.CoordinatorPath())
	} else {
		fmt.Fprintf(stderr, "The coordinator key is %s (keep a backup: losing it loses the replies).\n", store.CoordinatorPath())
	}
	return exitOK
}

// replyFlagSet defines the flags of open and import on fs.
func replyFlagSet(fs *flag.FlagSet) (asJSON *bool, idFile *string) {
	asJSON = fs.Bool("json", false, "open: print the reply as JSON, for tools")
	idFile = fs.String("i", "", "an age identity file `IDENTITY_FILE` to open the reply with, instead of the coordinator's key (an organisation's key, for a [reply] recipient)")
	return asJSON, idFile
}

// replyFlags parses the flags of open and import.
func replyFlags(name, usage string, args []string, stderr io.Writer) (pos []string, asJSON bool, idFile string, err error) {
	c := &command{name: "reply " + name, usage: usage, summary: commands["reply"].summary, about: commands["reply"].about}
	fs := newFlags(c, stderr)
	j, i := replyFlagSet(fs)
	pos, err = parseInterspersed(fs, args)
	return pos, *j, *i, err
}

// openReply reads and opens the reply in the file named (or "-").
func openReply(file, idFile string) (*reply.Document, []byte, error) {
	ids, err := replyIdentities(idFile)
	if err != nil {
		return nil, nil, err
	}
	var in io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the reply: %w", err)
		}
		defer f.Close()
		in = f
	}
	return reply.Open(in, ids...)
}

func replyIdentities(idFile string) ([]age.Identity, error) {
	if idFile != "" {
		data, err := os.ReadFile(idFile)
		if err != nil {
			return nil, fmt.Errorf("identity file: %w", err)
		}
		ids, err := age.ParseIdentities(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("identity file %s: %w", idFile, err)
		}
		return ids, nil
	}
	store, err := keystore.DefaultStore()
	if err != nil {
		return nil, err
	}
	id, err := store.Coordinator()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no coordinator key at %s: replies are sealed to the key of the machine that built the portal; restore that file from your backup, or give the key with -i", store.CoordinatorPath())
	}
	if err != nil {
		return nil, err
	}
	return []age.Identity{id}, nil
}

func runReplyOpen(args []string, stdout, stderr io.Writer) int {
	const usage = "FILE [--json] [-i IDENTITY_FILE]"
	pos, asJSON, idFile, err := replyFlags("open", usage, args, stderr)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "usage: caseport reply open %s\n", usage)
		return exitUsage
	}
	doc, _, err := openReply(pos[0], idFile)
	if err != nil {
		fmt.Fprintf(stderr, "caseport reply open: %s: %v\n", pos[0], err)
		return exitFail
	}
	if asJSON {
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "caseport reply open: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return exitOK
	}
	if err := doc.WriteText(stdout); err != nil {
		fmt.Fprintf(stderr, "caseport reply open: %v\n", err)
		return exitFail
	}
	return exitOK
}

func runReplyImport(args []string, stdout, stderr io.Writer) int {
	const usage = "CASE FILE [-i IDENTITY_FILE]"
	pos, _, idFile, err := replyFlags("import", usage, args, stderr)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "usage: caseport reply import %s\n", usage)
		return exitUsage
	}
	caseDir, file := pos[0], pos[1]
	id, err := caseID(caseDir)
	if err != nil {
		fmt.Fprintf(stderr, "caseport reply import: %v\n", err)
		return exitFail
	}
	doc, plain, err := openReply(file, idFile)
	if err != nil {
		fmt.Fprintf(stderr, "caseport reply import: %s: %v\n", file, err)
		return exitFail
	}
	path, existed, err := reply.Import(caseDir, id, doc, plain)
	if err != nil {
		fmt.Fprintf(stderr, "caseport reply import: %v\n", err)
		return exitFail
	}
	if existed {
		fmt.Fprintf(stdout, "Already imported: %s\n", path)
	} else {
		fmt.Fprintf(stdout, "Reply of %s imported: %s\n", orUnnamed(doc.Reviewer), path)
	}
	return exitOK
}

func orUnnamed(s string) string {
	if s == "" {
		return "an unnamed reviewer"
	}
	return s
}

// caseID reads the id of the case in dir from its case.toml. Only the id:
// a case being edited after its portal was sent still takes its replies.
func caseID(dir string) (string, error) {
	p := filepath.Join(dir, "case.toml")
	var head struct {
		ID string `toml:"id"`
	}
	if _, err := toml.DecodeFile(p, &head); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s is not a case folder: it has no case.toml", dir)
		}
		return "", fmt.Errorf("%s: %w (run caseport check %s)", p, err, dir)
	}
	if head.ID == "" {
		return "", fmt.Errorf("%s has no id", p)
	}
	return head.ID, nil
}
