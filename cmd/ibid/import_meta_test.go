package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportMetadataFlags imports with --author, --subject, --topic, --date
// and --license: they fill what a file leaves empty, a file's own metadata
// wins unless --override, and a bad date is a usage error.
func TestImportMetadataFlags(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.txt")
	fronted := filepath.Join(dir, "fronted.md")
	if err := os.WriteFile(plain, []byte("Tides and Harbours\n\nThe harbour was rebuilt after the war, and the town grew around it as trade came back.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fronted, []byte("---\ntitle: Grain and Timber\nauthor: Ann Own\nsubject: History\ndate: 2020-01-02\n---\n\nThe grain trade and the timber trade grew together along the coast after the war.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--author", "Flag Author", "--subject", "Economics", "--topic", "Trade", "--topic", "Ports", "--date", "2024-05-01", "--license", "CC BY 4.0"}
	tests := []struct {
		name     string
		override bool
		file     string
		slug     string
		want     []string // lines of the Markdown export's front matter
	}{
		{"flags fill a file without metadata", false, plain, "tides-and-harbours",
			[]string{`author: "Flag Author"`, `subject: "Economics"`, `  - "Trade"`, `  - "Ports"`, `date: 2024-05-01`, `CC BY 4.0`}},
		{"the file's own metadata wins", false, fronted, "grain-and-timber",
			[]string{`author: "Ann Own"`, `subject: "History"`, `date: 2020-01-02`, `  - "Trade"`}},
		{"--override lets the flags win", true, fronted, "grain-and-timber",
			[]string{`author: "Flag Author"`, `subject: "Economics"`, `date: 2024-05-01`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "lib.db")
			args := append([]string{"import", "--db", db}, flags...)
			if tt.override {
				args = append(args, "--override")
			}
			if code, _, stderr := runIbid(t, nil, append(args, tt.file)...); code != 0 {
				t.Fatalf("import: exit %d: %s", code, stderr)
			}
			out := filepath.Join(t.TempDir(), "out.md")
			if code, _, stderr := runIbid(t, nil, "export", "--db", db, tt.slug, "--format", "md", "-o", out); code != 0 {
				t.Fatalf("export: exit %d: %s", code, stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("front matter lacks %q:\n%s", w, b)
				}
			}
		})
	}
	code, _, stderr := runIbid(t, nil, "import", "--db", filepath.Join(dir, "x.db"), "--date", "2024-13-01", plain)
	if code != 2 || !strings.Contains(stderr, "YYYY-MM-DD") || strings.Count(stderr, "invalid value") != 1 {
		t.Errorf("bad date: exit %d, %q", code, stderr)
	}
}
