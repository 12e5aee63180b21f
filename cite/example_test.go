package cite_test

import (
	"fmt"
	"os"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
)

func ExampleCiter_Cite() {
	c, err := cite.New(nil, cite.Options{
		SiteName: "Essay Shelf",
		BaseURL:  "https://essays.example.org",
		Now:      func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		panic(err)
	}
	e := &ibid.Essay{Slug: "on-citing", Title: "On Citing", Author: "Jane Q. Doe",
		Published: time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC)}
	r, err := c.Cite(e, "harvard")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Entry.Text)
	fmt.Println(r.Entry.HTML)
	fmt.Println(r.InText.Text)
	// Output:
	// Doe, J.Q. (2020) On Citing, Essay Shelf. Available at: https://essays.example.org/essays/on-citing (Accessed: 25 November 2026).
	// Doe, J.Q. (2020) <i>On Citing</i>, <i>Essay Shelf</i>. Available at: https://essays.example.org/essays/on-citing (Accessed: 25 November 2026).
	// (Doe, 2020)
}

func ExampleBibTeX() {
	e := &ibid.Essay{Slug: "on-citing", Title: "On Citing: 100% & {more}", Author: "Doe, Jane",
		Published: time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC)}
	x := cite.BibTeX{Opt: cite.Options{SiteName: "Essay Shelf", BaseURL: "https://essays.example.org"}}
	if err := x.Export(os.Stdout, e); err != nil {
		panic(err)
	}
	// Output:
	// @online{on-citing,
	//   author = {Doe, Jane},
	//   title = {{On Citing: 100\% \& \{more\}}},
	//   journaltitle = {Essay Shelf},
	//   date = {2020-09-17},
	//   year = {2020},
	//   url = {https://essays.example.org/essays/on-citing},
	// }
}
