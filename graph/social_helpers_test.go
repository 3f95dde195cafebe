package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// socialEnv is a demo territory whose departments 69 and 38 are covered by AGIR, with
// the clock set to day (noon in Paris).
func socialEnv(t *testing.T, day string) *graphtest.Env {
	t.Helper()
	env := demoEnv(t)
	clearSocialDemo(t, env)
	coverDepartments(t, env)
	setToday(env, day)
	return env
}

// clearSocialDemo removes the social part of the demo (beneficiaries, collective
// actions and all that hangs on them), keeping structures and staff, so that tests
// count only what they create.
func clearSocialDemo(t *testing.T, env *graphtest.Env) {
	t.Helper()
	if _, err := env.Store.DB().Exec(`TRUNCATE beneficiaries, collective_actions CASCADE`); err != nil {
		t.Fatalf("clear social demo: %v", err)
	}
}

func coverDepartments(t *testing.T, env *graphtest.Env) {
	t.Helper()
	_, err := env.Store.DB().Exec(`INSERT INTO covered_departments (code, name, covered_since) VALUES
		('69', 'Rhône', '2024-01-01'), ('38', 'Isère', '2024-01-01') ON CONFLICT DO NOTHING`)
	if err != nil {
		t.Fatalf("cover departments: %v", err)
	}
}

// setToday sets the Store's clock to noon of day in Europe/Paris.
func setToday(env *graphtest.Env, day string) {
	d, err := model.ParseDate(day)
	if err != nil {
		panic(err)
	}
	at := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, model.Paris)
	env.Store.Now = func() time.Time { return at }
}

type userError struct {
	Code    string
	Field   []string
	Message string
}

// act runs mutation name with input as p and returns its payload (selection added to
// userErrors), failing on GraphQL errors.
func act(t *testing.T, env *graphtest.Env, p *model.Principal, name string, input map[string]any, selection string) (map[string]any, []userError) {
	t.Helper()
	typ := strings.ToUpper(name[:1]) + name[1:] + "Input"
	q := fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { userErrors { code field message } %s } }`, typ, name, selection)
	var data map[string]json.RawMessage
	env.MustDo(p, q, map[string]any{"input": input}, &data)
	var payload map[string]any
	if err := json.Unmarshal(data[name], &payload); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	var ues []userError
	raw, _ := json.Marshal(payload["userErrors"])
	_ = json.Unmarshal(raw, &ues)
	return payload, ues
}

// mustAct runs a mutation that must succeed.
func mustAct(t *testing.T, env *graphtest.Env, p *model.Principal, name string, input map[string]any, selection string) map[string]any {
	t.Helper()
	payload, ues := act(t, env, p, name, input, selection)
	if len(ues) > 0 {
		t.Fatalf("%s: user errors %+v", name, ues)
	}
	return payload
}

// actErr runs a mutation that must fail with code (on field, when given), and checks
// that it changed nothing it returns.
func actErr(t *testing.T, env *graphtest.Env, p *model.Principal, name string, input map[string]any, code string, field ...string) userError {
	t.Helper()
	payload, ues := act(t, env, p, name, input, "")
	if len(ues) != 1 || ues[0].Code != code {
		t.Fatalf("%s: user errors %+v, want %s", name, ues, code)
	}
	if len(field) > 0 && strings.Join(ues[0].Field, ".") != strings.Join(field, ".") {
		t.Fatalf("%s: field %v, want %v", name, ues[0].Field, field)
	}
	if ues[0].Message == "" {
		t.Fatalf("%s: no message", name)
	}
	_ = payload
	return ues[0]
}

// forbidden checks that a call is refused by the access rules (a GraphQL error FORBIDDEN).
func forbidden(t *testing.T, env *graphtest.Env, p *model.Principal, name string, input map[string]any) {
	t.Helper()
	typ := strings.ToUpper(name[:1]) + name[1:] + "Input"
	r := env.Do(p, fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { userErrors { code } } }`, typ, name), map[string]any{"input": input})
	if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("%s as %s: errors %+v, data %s", name, p.Role, r.Errors, r.Data)
	}
}

// referral returns a valid referral input for an eligible BPI of department 69.
func referral(ofii string) map[string]any {
	return map[string]any{
		"firstName": "Amina", "lastName": "Haïdari", "birthDate": "1990-05-14", "sex": "FEMALE",
		"nationality": "afghane", "languages": []string{"dari", "pachto"}, "phone": "0601020304",
		"email": "amina.h@example.org", "address": "12 rue de la Part-Dieu, 69003 Lyon",
		"protectionType": "REFUGEE", "protectionGrantedOn": "2025-06-01", "cirSignedOn": "2026-02-20",
		"department": "69", "ofiiReference": ofii,
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// refer refers an eligible BPI and returns its id.
func refer(t *testing.T, env *graphtest.Env, p *model.Principal, input map[string]any) string {
	t.Helper()
	payload := mustAct(t, env, p, "referBeneficiary", input, "beneficiary { id phase }")
	return payload["beneficiary"].(map[string]any)["id"].(string)
}

// staffID returns the global id of a demo staff member by e-mail.
func staffID(t *testing.T, env *graphtest.Env, email string) string {
	t.Helper()
	var key string
	if err := env.Store.DB().Get(&key, `SELECT id FROM staff_members WHERE email = $1`, email); err != nil {
		t.Fatalf("staff %s: %v", email, err)
	}
	return model.GlobalID("StaffMember", key)
}

// get reads fields of a beneficiary as p; nil when not visible.
func get(t *testing.T, env *graphtest.Env, p *model.Principal, id, fields string) map[string]any {
	t.Helper()
	var d struct{ Beneficiary map[string]any }
	env.MustDo(p, `query($id: ID!) { beneficiary(id: $id) { `+fields+` } }`, map[string]any{"id": id}, &d)
	return d.Beneficiary
}

// welcome convokes a referred beneficiary and holds its welcome interview on day.
func welcome(t *testing.T, env *graphtest.Env, p *model.Principal, id, day string) {
	t.Helper()
	saved := env.Store.Now
	setToday(env, day)
	mustAct(t, env, p, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": day + "T09:30:00+01:00",
		"address": "ARSL, 5 place Bellecour, 69002 Lyon"}, "beneficiary { phase }")
	b := get(t, env, p, id, "interviews { id version kind status }")
	iv := b["interviews"].([]any)[0].(map[string]any)
	mustAct(t, env, p, "recordInterview", map[string]any{"interviewId": iv["id"], "version": iv["version"], "status": "HELD",
		"sharedNote": "Entretien d'accueil réalisé avec interprète."}, "interview { status }")
	env.Store.Now = saved
}

func alertKinds(b map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, a := range b["alerts"].([]any) {
		out[a.(map[string]any)["kind"].(string)] = true
	}
	return out
}

func countRows(t *testing.T, env *graphtest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := env.Store.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}
