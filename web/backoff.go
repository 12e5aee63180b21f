package web

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
)

// Per-account sign-in backoff, beside the per-address rate limit: a guesser
// with many addresses still gets few tries at one account. After
// backoffFree failed sign-ins in a row, each further one makes the account
// wait backoffBase, then twice as long, and so on up to backoffMax, before
// a sign-in is tried again; a successful sign-in clears the count. The
// answer is the same for addresses with and without an account, so it
// tells nothing of which exist.
const (
	backoffFree = 5
	backoffBase = time.Second
	backoffMax  = 15 * time.Minute
	// backoffForget drops an account's count this long after its last
	// failure, so that the table holds only recent guessing.
	backoffForget = time.Hour
	// backoffAccounts bounds the table: past it the least recently failed
	// account is forgotten.
	backoffAccounts = 10000
)

// loginBackoff counts failed sign-ins per account.
type loginBackoff struct {
	now func() time.Time

	mu       sync.Mutex
	accounts map[string]*list.Element // of *failures
	lru      list.List                // most recently failed first
}

type failures struct {
	key   string
	n     int       // failed sign-ins in a row
	last  time.Time // of the last failure
	until time.Time // no sign-in is tried before then
}

func newLoginBackoff() *loginBackoff {
	return &loginBackoff{now: time.Now, accounts: map[string]*list.Element{}}
}

// backoffKey is the account an email names, spelled however it was typed.
func backoffKey(email string) string {
	if e, err := ibid.NormalizeEmail(email); err == nil {
		return e
	}
	return strings.ToLower(strings.TrimSpace(email))
}

// wait is how long the account must wait before a sign-in is tried; 0
// when it may be tried now.
func (b *loginBackoff) wait(email string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	el, ok := b.accounts[backoffKey(email)]
	if !ok {
		return 0
	}
	return max(0, el.Value.(*failures).until.Sub(b.now()))
}

// failed counts a failed sign-in to the account.
func (b *loginBackoff) failed(email string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	for el := b.lru.Back(); el != nil && now.Sub(el.Value.(*failures).last) > backoffForget; el = b.lru.Back() {
		b.remove(el)
	}
	key := backoffKey(email)
	var f *failures
	if el, ok := b.accounts[key]; ok {
		f = el.Value.(*failures)
		b.lru.MoveToFront(el)
	} else {
		f = &failures{key: key}
		b.accounts[key] = b.lru.PushFront(f)
		if b.lru.Len() > backoffAccounts {
			b.remove(b.lru.Back())
		}
	}
	f.n++
	f.last = now
	if f.n >= backoffFree {
		d := backoffMax
		if shift := f.n - backoffFree; shift < 20 {
			d = min(backoffMax, backoffBase<<shift)
		}
		f.until = now.Add(d)
	}
}

// succeeded clears the account's count.
func (b *loginBackoff) succeeded(email string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if el, ok := b.accounts[backoffKey(email)]; ok {
		b.remove(el)
	}
}

func (b *loginBackoff) remove(el *list.Element) {
	delete(b.accounts, el.Value.(*failures).key)
	b.lru.Remove(el)
}
