package compare

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/classset"
)

type zipEntry struct {
	name   string
	data   []byte
	method uint16
	nonUTF bool
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: e.method, NonUTF8: e.nonUTF}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func skipReason(b *Batch, name string) string {
	for _, s := range b.Skipped {
		if s.Name == name {
			return s.Reason
		}
	}
	return ""
}

// TestZipHostile: hostile and careless archives give skips with reasons
// or a clear error, never a crash; nothing is written anywhere (the batch
// holds bytes only).
func TestZipHostile(t *testing.T) {
	essay := []byte(classset.SourceText)
	bomb := bytes.Repeat([]byte("a"), 64<<20) // 64 MB of one letter packs to about 64 KB
	data := makeZip(t,
		zipEntry{name: "class/anna.txt", data: essay, method: zip.Deflate},
		zipEntry{name: "class/", data: nil},
		zipEntry{name: "../escape.txt", data: essay},
		zipEntry{name: "class/../../up.txt", data: essay},
		zipEntry{name: "/etc/abs.txt", data: essay},
		zipEntry{name: "__MACOSX/class/._anna.txt", data: []byte{0, 1, 2}},
		zipEntry{name: "class/.DS_Store", data: []byte{0, 0}},
		zipEntry{name: "class/inner.zip", data: []byte("PK")},
		zipEntry{name: "class/notes.exe", data: []byte("MZ")},
		zipEntry{name: "class/bomb.txt", data: bomb, method: zip.Deflate},
		zipEntry{name: "class/caf\xe9.txt", data: []byte("A short answer about trees and shade in summer."), nonUTF: true},
	)
	if len(data) > 1<<20 {
		t.Fatalf("the bomb is not small: %d bytes", len(data))
	}
	b := &Batch{Limits: WebLimits}
	if err := b.Add("class.zip", data); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range b.Files {
		names = append(names, f.Name)
	}
	if want := "class/anna.txt,class/caf\uFFFD.txt"; strings.Join(names, ",") != want {
		t.Errorf("files = %q, want %s", names, want)
	}
	for name, want := range map[string]string{
		"../escape.txt":      "out of the archive",
		"class/../../up.txt": "out of the archive",
		"/etc/abs.txt":       "absolute path",
		"class/inner.zip":    "archive inside",
		"class/notes.exe":    "not a format",
		"class/bomb.txt":     "over 10 MB",
	} {
		if r := skipReason(b, name); !strings.Contains(r, want) {
			t.Errorf("%s: skip reason %q, want %q", name, r, want)
		}
	}
	if len(b.Skipped) != 6 {
		t.Errorf("skipped %+v", b.Skipped)
	}
	docs, err := b.Documents(context.Background(), nil)
	if err != nil || len(docs) != 2 {
		t.Fatalf("documents %d, %v", len(docs), err)
	}
}

// TestZipBombLies: an entry whose header claims a small size but unpacks to
// far more is not read to the end: archive/zip stops at the declared size
// (our own budget would stop it at the limit otherwise), and the entry is
// skipped as damaged.
func TestZipBombLies(t *testing.T) {
	data := makeZip(t, zipEntry{name: "big.txt", data: bytes.Repeat([]byte("word "), 4<<20), method: zip.Deflate})
	// Rewrite the declared uncompressed size (central directory and local
	// header) to 100 bytes.
	i := bytes.LastIndex(data, []byte("PK\x01\x02"))
	putLE32(data[i+24:], 100)
	j := bytes.Index(data, []byte("PK\x07\x08")) // the data descriptor
	if j >= 0 {
		putLE32(data[j+12:], 100)
	}
	b := &Batch{Limits: Limits{MaxFiles: 10, MaxFileBytes: 1 << 20, MaxTotalBytes: 8 << 20, MaxWords: 1e6, MaxTotalWords: 1e7}}
	if err := b.Add("lies.zip", data); err != nil {
		t.Fatal(err)
	}
	if len(b.Files) != 0 || !strings.Contains(skipReason(b, "big.txt"), "damaged") {
		t.Errorf("files %d, skipped %+v", len(b.Files), b.Skipped)
	}
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// TestBatchLimits: the number of files and the total size are enforced
// with errors that say so; a damaged archive is refused.
func TestBatchLimits(t *testing.T) {
	var entries []zipEntry
	for i := range 10_000 {
		entries = append(entries, zipEntry{name: fmt.Sprintf("tiny/%05d.txt", i), data: []byte(fmt.Sprintf("Answer %d: trees cool the street.", i))})
	}
	data := makeZip(t, entries...)
	b := &Batch{Limits: WebLimits}
	err := b.Add("tiny.zip", data)
	if ibid.ErrorCode(err) != ibid.ETOOLARGE || !strings.Contains(err.Error(), "at most 500") {
		t.Errorf("10,000 files on the web: %v", err)
	}
	b = &Batch{Limits: Limits{MaxFiles: 100, MaxFileBytes: 1 << 20, MaxTotalBytes: 100, MaxWords: 1000, MaxTotalWords: 1000}}
	err = b.Add("a.txt", bytes.Repeat([]byte("x "), 60))
	if err == nil {
		err = b.Add("b.txt", bytes.Repeat([]byte("x "), 60))
	}
	if ibid.ErrorCode(err) != ibid.ETOOLARGE || !strings.Contains(err.Error(), "in all") {
		t.Errorf("total bytes: %v", err)
	}
	b = &Batch{Limits: WebLimits}
	if err := b.Add("broken.zip", []byte("PK\x03\x04 not really")); ibid.ErrorCode(err) != ibid.EINVALID {
		t.Errorf("damaged archive: %v", err)
	}
}

// TestTinyFiles: 10,000 tiny answers on the command line's limits are
// compared, the copies among them found.
func TestTinyFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 files")
	}
	b := &Batch{Limits: CLILimits}
	for i := range 10_000 {
		txt := fmt.Sprintf("Answer %d: %s", i, classset.OwnAnswer(classset.NewRand(uint64(i)), 2))
		if i%1000 == 7 {
			txt = "Street trees shade the pavement and cool the air on summer afternoons in every city we studied."
		}
		if err := b.Add(fmt.Sprintf("%05d.txt", i), []byte(txt)); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := b.Documents(context.Background(), nil)
	if err != nil || len(docs) != 10_000 {
		t.Fatalf("%d documents, %v (skipped %v)", len(docs), err, b.Skipped)
	}
	res, err := Compare(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 45 || len(res.Groups) != 1 || len(res.Groups[0].Documents) != 10 {
		t.Errorf("pairs %d, groups %d", len(res.Pairs), len(res.Groups))
	}
}

// TestDocumentsSkips: unreadable, empty and repeated files are skipped
// with reasons; same names with different texts are numbered.
func TestDocumentsSkips(t *testing.T) {
	b := &Batch{Limits: WebLimits}
	add := func(name, txt string) {
		if err := b.Add(name, []byte(txt)); err != nil {
			t.Fatal(err)
		}
	}
	add("a.txt", classset.SourceText)
	add("a.txt", classset.SourceText) // the same file twice
	add("b/a.txt", "Another answer entirely.")
	add("b/a.txt", "A third answer, same name.")
	add("empty.txt", "   \n ")
	add("bad.docx", "not a zip at all")
	add("bin.txt", "\x00\x01\x02\x03binary")
	docs, err := b.Documents(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	if got := strings.Join(names, ","); got != "a.txt,b/a.txt,b/a.txt (2)" {
		t.Errorf("documents %s", got)
	}
	for name, want := range map[string]string{"a.txt": "twice", "empty.txt": "no text", "bad.docx": "Word", "bin.txt": "binary"} {
		if r := skipReason(b, name); !strings.Contains(r, want) {
			t.Errorf("%s: skip %q, want %q", name, r, want)
		}
	}
}

// FuzzZip feeds arbitrary bytes to the archive reader: it must never
// panic, and what it keeps must stay within the limits with names in
// valid UTF-8 that do not climb out of the archive.
func FuzzZip(f *testing.F) {
	f.Add(makeZip(f, zipEntry{name: "a.txt", data: []byte("An answer.")}, zipEntry{name: "../b.txt", data: []byte("x")}))
	f.Add(makeZip(f, zipEntry{name: "d/\xff.md", data: []byte("# T\n\nText."), nonUTF: true, method: zip.Deflate}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	lim := Limits{MaxFiles: 20, MaxFileBytes: 1 << 16, MaxTotalBytes: 1 << 18, MaxWords: 1000, MaxTotalWords: 5000}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &Batch{Limits: lim}
		err := b.Add("in.zip", data)
		if err != nil && ibid.ErrorCode(err) == ibid.EINTERNAL {
			t.Fatalf("uncoded error %v", err)
		}
		total := 0
		for _, f := range b.Files {
			total += len(f.Data)
			if len(f.Data) > int(lim.MaxFileBytes) || !utf8.ValidString(f.Name) || strings.HasPrefix(f.Name, "../") || strings.HasPrefix(f.Name, "/") {
				t.Fatalf("kept %q (%d bytes)", f.Name, len(f.Data))
			}
		}
		if len(b.Files) > lim.MaxFiles || total > int(lim.MaxTotalBytes) {
			t.Fatalf("%d files, %d bytes", len(b.Files), total)
		}
		if _, err := b.Documents(context.Background(), nil); err != nil && ibid.ErrorCode(err) == ibid.EINTERNAL {
			t.Fatalf("documents: %v", err)
		}
	})
}
