package compare

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/text"
)

// File is one submitted file, read into memory.
type File struct {
	Name string // the name shown in reports: a file name or a path in an archive
	Data []byte
}

// Limits bound the files of one comparison. Nothing read is written
// anywhere: archives are unpacked in memory, within these bounds.
type Limits struct {
	// MaxFiles bounds the documents of a comparison.
	MaxFiles int
	// MaxFileBytes bounds one file, packed or unpacked from an archive;
	// larger files are skipped.
	MaxFileBytes int64
	// MaxTotalBytes bounds the bytes of all files together, archives
	// unpacked; a batch past it is refused.
	MaxTotalBytes int64
	// MaxWords bounds the words of one document (larger ones are
	// skipped), MaxTotalWords those of all (a batch past it is refused).
	MaxWords, MaxTotalWords int
}

// Limits of the web page and the API. A document is held to a check's
// limits; the batch to what a request can carry and a 2-core server can
// compare well within a check's time.
var WebLimits = Limits{
	MaxFiles:      500,
	MaxFileBytes:  ibid.MaxCheckBytes,
	MaxTotalBytes: 50 << 20,
	MaxWords:      ibid.MaxCheckWords,
	MaxTotalWords: 1_500_000,
}

// CLILimits are the command line's: the operator's own files, so only a
// document's check limits and what memory can hold.
var CLILimits = Limits{
	MaxFiles:      20_000,
	MaxFileBytes:  ibid.MaxCheckBytes,
	MaxTotalBytes: 1 << 30,
	MaxWords:      ibid.MaxCheckWords,
	MaxTotalWords: 20_000_000,
}

// maxZipEntries bounds the entries of an archive's directory, files or not,
// so that a directory of millions of entries is refused before any is read.
const maxZipEntries = 50_000

// IsZip reports whether a file is a zip archive of submissions by its name.
func IsZip(name string) bool { return strings.EqualFold(path.Ext(name), ".zip") }

// Batch collects the files of a comparison and enforces Limits as they
// come in.
type Batch struct {
	Limits  Limits
	Files   []File
	Skipped []Skip
	bytes   int64
}

// Add adds one file; a .zip is unpacked into its files. An error means the
// whole batch must be refused (too many files, too many bytes, an archive
// that cannot be read); a file that cannot be used is skipped with its
// reason instead.
func (b *Batch) Add(name string, data []byte) error {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if IsZip(name) {
		return b.addZip(name, data)
	}
	return b.addFile(name, data)
}

func (b *Batch) addFile(name string, data []byte) error {
	if int64(len(data)) > b.Limits.MaxFileBytes {
		b.Skip(name, fmt.Sprintf("over %s, the limit of one document", size(b.Limits.MaxFileBytes)))
		return nil
	}
	if len(b.Files) >= b.Limits.MaxFiles {
		return ibid.Errorf(ibid.ETOOLARGE, "more than %s documents; a comparison takes at most %s", num(b.Limits.MaxFiles), num(b.Limits.MaxFiles))
	}
	b.bytes += int64(len(data))
	if b.bytes > b.Limits.MaxTotalBytes {
		return ibid.Errorf(ibid.ETOOLARGE, "the files are over %s in all, the limit of a comparison", size(b.Limits.MaxTotalBytes))
	}
	b.Files = append(b.Files, File{Name: name, Data: data})
	return nil
}

// Skip records a file left out.
func (b *Batch) Skip(name, reason string) {
	b.Skipped = append(b.Skipped, Skip{Name: strings.ToValidUTF8(name, "\uFFFD"), Reason: reason})
}

// addZip unpacks an archive in memory. Entries are read through a budget,
// not trusted for their declared sizes: a zip bomb stops at the limits.
// Folders, hidden files and macOS's __MACOSX folder are passed over; paths
// that climb out of the archive ("../x", "/etc/x"), archives inside the
// archive and formats that cannot be compared are skipped with a reason.
func (b *Batch) addZip(name string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ibid.Errorf(ibid.EINVALID, "%s is not a readable zip archive", name)
	}
	if len(zr.File) > maxZipEntries {
		return ibid.Errorf(ibid.ETOOLARGE, "%s holds %s entries; a comparison takes at most %s documents", name, num(len(zr.File)), num(b.Limits.MaxFiles))
	}
	for _, f := range zr.File {
		raw := strings.ToValidUTF8(f.Name, "\uFFFD")
		if strings.HasSuffix(raw, "/") || f.FileInfo().IsDir() {
			continue
		}
		p := strings.ReplaceAll(raw, "\\", "/")
		if path.IsAbs(p) || len(p) > 1 && p[1] == ':' { // "/etc/x", "C:/x"
			b.Skip(raw, "absolute path in the archive")
			continue
		}
		clean := path.Clean(p)
		if clean == ".." || strings.HasPrefix(clean, "../") {
			b.Skip(raw, "path leads out of the archive")
			continue
		}
		if hidden(clean) {
			continue
		}
		if IsZip(clean) {
			b.Skip(clean, "an archive inside the archive: unpack it and add its files")
			continue
		}
		if !extract.Supported(clean) {
			b.Skip(clean, "not a format ibid reads ("+strings.Join(extract.Formats(), ", ")+")")
			continue
		}
		if f.UncompressedSize64 > uint64(b.Limits.MaxFileBytes) {
			b.Skip(clean, fmt.Sprintf("over %s unpacked, the limit of one document", size(b.Limits.MaxFileBytes)))
			continue
		}
		if b.bytes+int64(f.UncompressedSize64) > b.Limits.MaxTotalBytes {
			return ibid.Errorf(ibid.ETOOLARGE, "%s unpacks to over %s, the limit of a comparison", name, size(b.Limits.MaxTotalBytes))
		}
		rc, err := f.Open()
		if err != nil {
			b.Skip(clean, "cannot be unpacked ("+err.Error()+")")
			continue
		}
		// The declared size may lie: read one byte past the limit to
		// know.
		limit := min(b.Limits.MaxFileBytes, b.Limits.MaxTotalBytes-b.bytes)
		body, err := io.ReadAll(io.LimitReader(rc, limit+1))
		rc.Close()
		switch {
		case int64(len(body)) > limit && limit == b.Limits.MaxFileBytes:
			b.Skip(clean, fmt.Sprintf("over %s unpacked, the limit of one document", size(b.Limits.MaxFileBytes)))
			continue
		case int64(len(body)) > limit:
			return ibid.Errorf(ibid.ETOOLARGE, "%s unpacks to over %s, the limit of a comparison", name, size(b.Limits.MaxTotalBytes))
		case err != nil:
			b.Skip(clean, "cannot be unpacked: the archive is damaged")
			continue
		}
		if err := b.addFile(clean, body); err != nil {
			return err
		}
	}
	return nil
}

// hidden reports whether a path in an archive is a hidden file or lies in
// a hidden folder or in the __MACOSX folder that macOS adds to archives.
func hidden(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") || part == "__MACOSX" {
			return true
		}
	}
	return false
}

// Documents extracts the text of every file of the batch (in parallel,
// each within the check limits) and returns the documents to compare, with
// unique names. Files that cannot be read, have no text or are too long
// are skipped with the reason, and so are exact copies of the same file
// under the same name. An error means the batch as a whole is refused.
func (b *Batch) Documents(ctx context.Context, progress func(done, total int)) ([]Document, error) {
	type out struct {
		doc  Document
		skip string
	}
	outs := make([]out, len(b.Files))
	if progress == nil {
		progress = func(int, int) {}
	}
	xopt := extract.Options{MaxBytes: b.Limits.MaxFileBytes, MaxUnpacked: 32 << 20, Timeout: 15 * time.Second, MaxWords: b.Limits.MaxWords}
	err := parallel(ctx, len(b.Files), func(i int) {
		f := b.Files[i]
		doc, err := extract.Read(f.Name, f.Data, xopt)
		if err != nil {
			outs[i].skip = ibid.ErrorMessage(err)
			return
		}
		txt := doc.Text()
		n := text.Words(txt)
		switch {
		case n == 0:
			outs[i].skip = "no text"
		case n > b.Limits.MaxWords:
			outs[i].skip = fmt.Sprintf("%s words; a document may have at most %s", num(n), num(b.Limits.MaxWords))
		default:
			outs[i].doc = Document{Name: f.Name, Text: txt}
		}
	}, func(done int) { progress(done, len(b.Files)) })
	if err != nil {
		return nil, err
	}
	var docs []Document
	total := 0
	type key struct{ name, text string }
	seen := map[key]bool{}
	for i, o := range outs {
		if o.skip != "" {
			b.Skip(b.Files[i].Name, o.skip)
			continue
		}
		k := key{o.doc.Name, o.doc.Text}
		if seen[k] {
			b.Skip(o.doc.Name, "the same file given twice")
			continue
		}
		seen[k] = true
		total += text.Words(o.doc.Text)
		if total > b.Limits.MaxTotalWords {
			return nil, ibid.Errorf(ibid.ETOOLARGE, "the documents have over %s words in all, the limit of a comparison", num(b.Limits.MaxTotalWords))
		}
		docs = append(docs, o.doc)
	}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Name
	}
	for i, n := range UniqueNames(names) {
		docs[i].Name = n
	}
	b.Files = nil // the bytes are no longer needed
	return docs, nil
}

// size writes a byte limit for people: "10 MB", "2 GB".
func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return itoa(int(n>>30)) + " GB"
	case n >= 1<<20:
		return itoa(int(n>>20)) + " MB"
	}
	return itoa(int(n>>10)) + " KB"
}

// num writes n with thousands separators.
func num(n int) string {
	s := itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
