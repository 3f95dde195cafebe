package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Outputs other than GraphQL fields (the audit log's changes, the RGPD export) show a
// caller the personal data it may read through GraphQL, and nothing else. They know the
// data by name (a change's key, an exported field), so the marking of the schema is
// compiled once more, by name: a name is personal if a field of that name is marked
// (@group, @personal) on a type that holds personal data, or hangs under such a marked
// field (Referral's fields under Beneficiary.referral, Accessibility's under
// Beneficiary.accessibility). Its readers are the roles that may read every field of that
// name: when one type's rule is stricter, the stricter holds.

// personalNames holds the readers of each personal name, and the types holding personal
// data (whose changes are filtered).
type personalNames struct {
	readers map[string]roleSet
	types   map[string]bool
}

// authorStructureOnly are the personal names readable only by the author's structure,
// whatever the role (the rule is applied by the database for GraphQL, db.interviewSelect):
// another structure's reader gets null through GraphQL, and nothing elsewhere.
var authorStructureOnly = map[string]bool{"privateNote": true}

func compilePersonalNames(schema *ast.Schema, r *Rules) personalNames {
	n := personalNames{readers: map[string]roleSet{}, types: map[string]bool{}}
	restrict := func(name string, readers roleSet) {
		if cur, ok := n.readers[name]; ok {
			readers &= cur
		}
		n.readers[name] = readers
	}
	for key, rule := range r.fields {
		if !rule.personal {
			continue
		}
		n.types[key.typ] = true
		restrict(key.field, rule.readers)
		def := schema.Types[key.typ].Fields.ForName(key.field)
		if sub := schema.Types[def.Type.Name()]; sub != nil && sub.Kind == ast.Object {
			n.types[sub.Name] = true
			for _, f := range sub.Fields {
				if inner := r.fields[fieldKey{sub.Name, f.Name}]; inner != nil {
					restrict(f.Name, rule.readers&inner.readers)
				}
			}
		}
	}
	return n
}

// readableName reports whether p may read the personal data called name, written by
// authorStructure; non-personal names are readable.
func (n personalNames) readableName(p *model.Principal, name, authorStructure string) bool {
	readers, personal := n.readers[name]
	if !personal {
		return true
	}
	if readers&roleBit(p.Role) == 0 {
		return false
	}
	return !authorStructureOnly[name] || (p.StructureID != "" && p.StructureID == authorStructure)
}

// withhold removes from doc (decoded JSON) every member whose name p may not read, and
// appends the path of each to withheld. It returns doc.
func (n personalNames) withhold(p *model.Principal, authorStructure string, doc any, path string, withheld *[]string) any {
	switch x := doc.(type) {
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			at := k
			if path != "" {
				at = path + "." + k
			}
			if x[k] != nil && !n.readableName(p, k, authorStructure) {
				delete(x, k)
				*withheld = append(*withheld, at)
				continue
			}
			x[k] = n.withhold(p, authorStructure, x[k], at, withheld)
		}
	case []any:
		for i := range x {
			x[i] = n.withhold(p, authorStructure, x[i], fmt.Sprintf("%s[%d]", path, i), withheld)
		}
	}
	return doc
}

// auditChanges returns the changes of e as p may see them (issue 15, hole 6): in an
// entry about an object holding personal data, every value p could not read through
// GraphQL is removed, and "withheld" lists where. Read entries list field names only.
func (r *Rules) auditChanges(p *model.Principal, e *model.AuditLogEntry) (string, error) {
	if e.Action == "read" || !r.names.types[e.EntityType] {
		return e.Changes, nil
	}
	var doc any
	if err := json.Unmarshal([]byte(e.Changes), &doc); err != nil {
		return "", fmt.Errorf("graph: changes of audit entry %d: %w", e.Key, err)
	}
	var withheld []string
	doc = r.names.withhold(p, e.ActorStructureKey, doc, "", &withheld)
	if len(withheld) == 0 {
		return e.Changes, nil
	}
	if m, ok := doc.(map[string]any); ok {
		m["withheld"] = withheld
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("graph: changes of audit entry %d: %w", e.Key, err)
	}
	return string(out), nil
}

// withheldDatum is one value of the RGPD export withheld from the caller: which record,
// which field, and the structure holding it, where the right of access can be completed.
type withheldDatum struct {
	Record     string `json:"record"`
	ID         string `json:"id,omitempty"`
	Field      string `json:"field"`
	HeldBy     string `json:"heldBy,omitempty"`
	HeldByName string `json:"heldByName,omitempty"`
}

// exportAs applies p's field rules to the RGPD export text made by the Store (issue 15,
// hole 2): from the person's row and every record (whole rows, by column), each value
// of a personal name p could not read through GraphQL is removed and listed in
// "withheld" with the structure that holds it; the changes of the audit entries are
// filtered as auditLog.changes is.
func (r *Resolver) exportAs(ctx context.Context, p *model.Principal, text string) (*string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("graph: export document: %w", err)
	}
	names := r.rules.names
	withheld := []withheldDatum{}
	filterRow := func(table string, row map[string]any) error {
		author, _ := row["author_structure_id"].(string)
		id, _ := row["id"].(string)
		columns := make([]string, 0, len(row))
		for c := range row {
			columns = append(columns, c)
		}
		sort.Strings(columns)
		for _, c := range columns {
			name := camelCase(c)
			if row[c] == nil || names.readableName(p, name, author) {
				continue
			}
			delete(row, c)
			w := withheldDatum{Record: table, ID: id, Field: name}
			if author != "" {
				w.HeldBy = model.GlobalID("Structure", author)
				st, err := structureOrNil(ctx, &author)
				if err != nil {
					return err
				}
				if st != nil {
					w.HeldByName = st.Name
				}
			}
			withheld = append(withheld, w)
		}
		return nil
	}
	if row, ok := doc["beneficiary"].(map[string]any); ok {
		if err := filterRow("beneficiaries", row); err != nil {
			return nil, err
		}
	}
	if records, ok := doc["records"].(map[string]any); ok {
		for table, rows := range records {
			list, _ := rows.([]any)
			for _, row := range list {
				if m, ok := row.(map[string]any); ok {
					if err := filterRow(table, m); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if entries, ok := doc["auditLog"].([]any); ok {
		for _, e := range entries {
			entry, ok := e.(map[string]any)
			if !ok || entry["action"] == "read" {
				continue
			}
			author, _ := entry["actorStructure"].(string)
			var paths []string
			entry["changes"] = names.withhold(p, author, entry["changes"], "", &paths)
			if len(paths) > 0 {
				if m, ok := entry["changes"].(map[string]any); ok {
					m["withheld"] = paths
				}
			}
		}
	}
	sort.Slice(withheld, func(i, j int) bool {
		a, b := withheld[i], withheld[j]
		if a.Record != b.Record {
			return a.Record < b.Record
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Field < b.Field
	})
	doc["withheld"] = withheld
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("graph: export document: %w", err)
	}
	s := string(out)
	return &s, nil
}

// camelCase returns the GraphQL name of a column: private_note → privateNote.
func camelCase(column string) string {
	parts := strings.Split(column, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
