// Package offersync keeps the offer map up to date from the national sources (issue 20):
// data·inclusion's API (the national aggregator of the social-inclusion offer) and
// Réfugiés.info's published sheets. Its clients read a source into db.SyncBatch values
// (one per department); db.Store.SyncOffers applies each in one transaction.
package offersync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// DataInclusion reads data·inclusion's API v1: GET /api/v1/structures and
// /api/v1/services filtered by code_departement, paginated by page number and size (the
// reply is {items, total, page, size, pages}), authenticated by a bearer token.
type DataInclusion struct {
	BaseURL  string       // AGIR_DATAINCLUSION_URL, e.g. https://api.data.inclusion.gouv.fr
	Token    string       // AGIR_DATAINCLUSION_TOKEN
	HTTP     *http.Client // nil: a client with a 30 s timeout
	PageSize int          // 0: 500 (the API's maximum is larger; smaller pages shift less)
}

// diPage is a page of the API's list routes.
type diPage struct {
	Items []json.RawMessage `json:"items"`
	Total int               `json:"total"`
	Page  int               `json:"page"`
	Size  int               `json:"size"`
	Pages int               `json:"pages"`
}

// diKey is what the client reads of every record before the Store checks it.
type diKey struct {
	ID       string `json:"id"`
	Doublons []struct {
		Source string `json:"source"`
		ID     string `json:"id"`
	} `json:"doublons"`
}

// ErrSource is a failure of a source: unreachable, refusing the token, answering nonsense.
// The run fails and changes nothing.
type ErrSource struct {
	Source string
	Msg    string // French
	Err    error
}

func (e *ErrSource) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s : %s (%v)", e.Source, e.Msg, e.Err)
	}
	return e.Source + " : " + e.Msg
}

func (e *ErrSource) Unwrap() error { return e.Err }

func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// getJSON fetches u into out, with the bearer token when set.
func getJSON(ctx context.Context, client *http.Client, source, u, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &ErrSource{Source: source, Msg: "adresse invalide", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient(client).Do(req)
	if err != nil {
		return &ErrSource{Source: source, Msg: "source injoignable ou trop lente", Err: err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &ErrSource{Source: source, Msg: fmt.Sprintf("la source refuse l'accès (HTTP %d) : vérifiez le jeton", resp.StatusCode)}
	case resp.StatusCode != http.StatusOK:
		return &ErrSource{Source: source, Msg: fmt.Sprintf("réponse HTTP %d", resp.StatusCode)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return &ErrSource{Source: source, Msg: "réponse interrompue", Err: err}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &ErrSource{Source: source, Msg: "réponse illisible", Err: err}
	}
	return nil
}

// listAll reads every page of route for a department. Offset pagination may shift while
// it reads (a record added or removed before the current page): records are de-duplicated
// by id, and when fewer distinct records than the announced total were seen, the pages
// are read once more; if some are still missing, the list is reported incomplete (and
// nothing is archived on its strength).
func (c DataInclusion) listAll(ctx context.Context, route, department string) (items []json.RawMessage, keys []diKey, complete bool, err error) {
	size := c.PageSize
	if size <= 0 {
		size = 500
	}
	seen := map[string]bool{}
	total := -1
	for pass := 0; pass < 2; pass++ {
		for page := 1; ; page++ {
			q := url.Values{"code_departement": {department}, "page": {strconv.Itoa(page)}, "size": {strconv.Itoa(size)}}
			var p diPage
			u := strings.TrimRight(c.BaseURL, "/") + "/api/v1/" + route + "?" + q.Encode()
			if err := getJSON(ctx, c.HTTP, "data·inclusion", u, c.Token, &p); err != nil {
				return nil, nil, false, err
			}
			if p.Total < 0 || p.Items == nil {
				return nil, nil, false, &ErrSource{Source: "data·inclusion", Msg: "page sans « items » ni « total »"}
			}
			total = p.Total
			for _, raw := range p.Items {
				var k diKey
				if err := json.Unmarshal(raw, &k); err != nil || k.ID == "" {
					// unreadable: the Store rejects it with its reason
					items, keys = append(items, raw), append(keys, diKey{})
					continue
				}
				if seen[k.ID] {
					continue
				}
				seen[k.ID] = true
				items, keys = append(items, raw), append(keys, k)
			}
			if len(p.Items) < size || page*size >= p.Total {
				break
			}
		}
		if len(seen) >= total {
			return items, keys, true, nil
		}
	}
	return items, keys, false, nil
}

// Batch reads the structures and services of a department into one batch.
func (c DataInclusion) Batch(ctx context.Context, department string) (db.SyncBatch, error) {
	b := db.SyncBatch{Origin: model.OfferOriginDataInclusion, Department: department}
	if c.BaseURL == "" {
		return b, errors.New("data·inclusion : AGIR_DATAINCLUSION_URL n'est pas configurée")
	}
	items, keys, completeS, err := c.listAll(ctx, "structures", department)
	if err != nil {
		return b, err
	}
	for i, raw := range items {
		s := db.SyncStructure{ExternalID: keys[i].ID, Raw: raw}
		for _, d := range keys[i].Doublons {
			s.Duplicates = append(s.Duplicates, d.ID)
		}
		b.Structures = append(b.Structures, s)
	}
	items, keys, completeV, err := c.listAll(ctx, "services", department)
	if err != nil {
		return b, err
	}
	for i, raw := range items {
		b.Services = append(b.Services, db.SyncService{ExternalID: keys[i].ID, Raw: raw})
	}
	b.Complete = completeS && completeV
	if !b.Complete {
		b.Incomplete = "la pagination de data·inclusion a bougé pendant la lecture : des fiches manquent, rien n'est archivé cette fois"
	}
	return b, nil
}
