package endpoint

import (
	"encoding/csv"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// IndicatorsCSV serves an indicator table as CSV (RFC 4180, comma separator, dot
// decimals, UTF-8), for the roles of Query.indicators, with the same scope and
// suppression (a suppressed cell has empty value, numerator and denominator):
//
//	GET /export/indicators.csv?names=REFERRALS,ENTRIES&breakdown=DEPARTMENT&from=2026-01-01&to=2026-03-31&departments=69,38
//
// Every parameter is optional, as in IndicatorsInput. format=excel-fr writes it for a
// French spreadsheet: UTF-8 byte order mark, ";" separator, decimal comma, CRLF lines.
// One line per cell: the total of each indicator (breakdown "TOTAL", empty key) then
// its cells. Text cells are escaped against formula injection (spreadsheetCell). The
// caller is authenticated upstream (the principal is read from the context).
func IndicatorsCSV(store *db.Store, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := model.PrincipalFrom(r.Context())
		if p == nil {
			http.Error(w, "authentification requise", http.StatusUnauthorized)
			return
		}
		switch p.Role {
		case model.RoleCoordinator, model.RoleAnalyst, model.RoleStateRepresentative:
		default:
			http.Error(w, "accès refusé", http.StatusForbidden)
			return
		}
		in, err := indicatorsInputOf(r)
		excelFR := false
		switch f := r.URL.Query().Get("format"); f {
		case "", "csv":
		case "excel-fr":
			excelFR = true
		default:
			err = model.Errorf(model.CodeInvalidInput, model.Path("format"), "format inconnu : %s (csv ou excel-fr)", f)
		}
		var table *model.IndicatorTable
		if err == nil {
			var req graph.IndicatorRequest
			if req, err = graph.CheckIndicatorsInput(store, p, in); err == nil {
				table, err = graph.ComputeIndicators(r.Context(), store, p, req)
			}
		}
		var me *model.Error
		switch {
		case errors.As(err, &me) && me.Code == model.CodeForbidden:
			http.Error(w, me.Message, http.StatusForbidden)
			return
		case errors.As(err, &me) && me.Code != model.CodeInternal:
			http.Error(w, me.Message, http.StatusBadRequest)
			return
		case err != nil:
			logger.ErrorContext(r.Context(), "indicators CSV", "request_id", RequestID(r.Context()), "err", err)
			http.Error(w, "erreur interne : référence "+RequestID(r.Context()), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="indicateurs.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		out := csv.NewWriter(w)
		decimal := num
		if excelFR {
			_, _ = w.Write([]byte("\uFEFF"))
			out.Comma, out.UseCRLF = ';', true
			decimal = func(f *float64) string { return strings.Replace(num(f), ".", ",", 1) }
		}
		_ = out.Write([]string{"indicator", "label", "unit", "from", "to", "breakdown", "key", "key_label", "value",
			"numerator", "denominator", "target", "suppressed"})
		for _, row := range table.Rows {
			line := func(breakdown string, c model.IndicatorCell) {
				_ = out.Write([]string{string(row.Indicator), spreadsheetCell(row.Definition.Label), string(row.Definition.Unit),
					table.From.String(), table.To.String(), breakdown, spreadsheetCell(str(c.Key)), spreadsheetCell(str(c.Label)),
					decimal(c.Value), integer(c.Numerator), integer(c.Denominator), decimal(c.Target), strconv.FormatBool(c.Suppressed)})
			}
			line("TOTAL", *row.Total)
			for _, c := range row.Cells {
				line(string(*row.Breakdown), c)
			}
		}
		out.Flush()
	})
}

// indicatorsInputOf reads the query parameters of the CSV export.
func indicatorsInputOf(r *http.Request) (*model.IndicatorsInput, error) {
	q := r.URL.Query()
	in := &model.IndicatorsInput{}
	for _, n := range list(q.Get("names")) {
		name := model.IndicatorName(n)
		if !name.IsValid() {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("names"), "indicateur inconnu : %s", n)
		}
		in.Names = append(in.Names, name)
	}
	if b := q.Get("breakdown"); b != "" {
		bd := model.Breakdown(b)
		if !bd.IsValid() {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("breakdown"), "ventilation inconnue : %s", b)
		}
		in.Breakdown = &bd
	}
	in.Departments = list(q.Get("departments"))
	for _, name := range []string{"from", "to"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		d, err := model.ParseDate(v)
		if err != nil {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path(name), "date attendue au format AAAA-MM-JJ")
		}
		if in.Period == nil {
			in.Period = &model.PeriodInput{}
		}
		if name == "from" {
			in.Period.From = &d
		} else {
			in.Period.To = &d
		}
	}
	return in, nil
}

// spreadsheetCell escapes a text cell against formula injection (OWASP "CSV
// injection"): a cell starting with =, +, -, @, a tab or a carriage return is prefixed
// with a single quote, so that a spreadsheet shows it as text instead of evaluating it
// (a structure named =HYPERLINK(...), say). Quotes and separators inside the cell are
// quoted by the CSV writer.
func spreadsheetCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func integer(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
