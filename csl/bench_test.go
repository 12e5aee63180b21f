package csl

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user and system) the process has used. The
// machine is shared, so wall-clock ns/op overstates the cost when it is busy;
// items per CPU-second shows the work itself.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchInputs loads the official APA style and the reference items from
// ../shared; they are third-party files and are not copied into the project.
func benchInputs(b *testing.B) ([]byte, []Item, LocaleMap) {
	dir := filepath.Join(sharedDir(b), "csl")
	src, err := os.ReadFile(filepath.Join(dir, "styles", "apa.csl"))
	if err != nil {
		b.Skipf("apa.csl is not available (%v)", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "reference", "dev_items.json"))
	if err != nil {
		b.Skipf("the reference items are not available (%v)", err)
	}
	items, err := ParseItems(data)
	if err != nil {
		b.Fatal(err)
	}
	return src, items, sharedLocales(b)
}

// BenchmarkCompileAPA measures compiling APA from source, bypassing the cache.
func BenchmarkCompileAPA(b *testing.B) {
	src, _, _ := benchInputs(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compile(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderAPA measures a warm engine rendering the bibliography entry
// and the citation of every reference item (36 items per iteration).
func BenchmarkRenderAPA(b *testing.B) {
	src, items, locales := benchInputs(b)
	st, err := ParseStyle(src)
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Locales: locales}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		p, err := st.NewProcessor(items, opt)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Bibliography(); err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			if _, err := p.Citation([]Cite{{ID: it.ID}}); err != nil {
				b.Fatal(err)
			}
		}
		n += len(items)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "items/cpu-s")
	}
}

// BenchmarkBibliographyAPA measures rendering with a prepared processor (items
// sorted and disambiguated once): every bibliography entry and citation.
func BenchmarkBibliographyAPA(b *testing.B) {
	src, items, locales := benchInputs(b)
	st, err := ParseStyle(src)
	if err != nil {
		b.Fatal(err)
	}
	p, err := st.NewProcessor(items, Options{Locales: locales})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := p.Bibliography(); err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			if _, err := p.Citation([]Cite{{ID: it.ID}}); err != nil {
				b.Fatal(err)
			}
		}
		n += len(items)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "items/cpu-s")
	}
}

// BenchmarkRenderOneAPA measures rendering one item alone, as the cite box
// does: a fresh processor, its bibliography entry and its citation.
func BenchmarkRenderOneAPA(b *testing.B) {
	src, items, locales := benchInputs(b)
	st, err := ParseStyle(src)
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Locales: locales}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		it := items[i%len(items)]
		i++
		p, err := st.NewProcessor([]Item{it}, opt)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Bibliography(); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Citation([]Cite{{ID: it.ID}}); err != nil {
			b.Fatal(err)
		}
	}
}
