package offersync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// RefugiesInfo reads Réfugiés.info's public list of published sheets, GET
// /dispositifs?locale=fr&type=dispositif (no key), and its themes, GET /themes; every
// reply is {"text": "success", "data": [...]}. Its content is not under an open licence:
// the source is off unless AGIR_REFUGIESINFO_URL is set, with the publisher's agreement.
type RefugiesInfo struct {
	BaseURL string       // AGIR_REFUGIESINFO_URL, e.g. https://api.refugies.info
	SiteURL string       // public site, for the sheets' links; "" means https://refugies.info
	HTTP    *http.Client // nil: a client with a 30 s timeout
}

// riReply is the envelope of every reply.
type riReply struct {
	Text string            `json:"text"`
	Data []json.RawMessage `json:"data"`
}

// riSheet is a sheet of the list (« fiche »). Pointers and raw fields keep apart a field
// set to null (« not relevant ») from one absent (« not filled in »).
type riSheet struct {
	ID              string   `json:"_id"`
	TitreInformatif string   `json:"titreInformatif"`
	TitreMarque     *string  `json:"titreMarque"`
	Abstract        string   `json:"abstract"`
	TypeContenu     string   `json:"typeContenu"`
	Theme           *string  `json:"theme"`
	SecondaryThemes []string `json:"secondaryThemes"`
	Sponsor         *struct {
		ID  string `json:"_id"`
		Nom string `json:"nom"`
	} `json:"sponsor"`
	AvailableLanguages   []string    `json:"availableLanguages"`
	LastModificationDate *time.Time  `json:"lastModificationDate"`
	Metadatas            riMetadatas `json:"metadatas"`
}

type riMetadatas struct {
	Location     json.RawMessage `json:"location"` // "france", "online" or ["35 - Ille-et-Vilaine", ...]
	FrenchLevel  []string        `json:"frenchLevel"`
	PublicStatus []string        `json:"publicStatus"`
	Public       []string        `json:"public"`
	Conditions   []string        `json:"conditions"`
	Age          *struct {
		Type string    `json:"type"`
		Ages []float64 `json:"ages"`
	} `json:"age"`
	Price *struct {
		Values  []float64 `json:"values"`
		Details *string   `json:"details"`
	} `json:"price"`
	Commitment *struct {
		AmountDetails string    `json:"amountDetails"`
		Hours         []float64 `json:"hours"`
		TimeUnit      string    `json:"timeUnit"`
	} `json:"commitment"`
	Frequency *struct {
		AmountDetails string  `json:"amountDetails"`
		Hours         float64 `json:"hours"`
		TimeUnit      string  `json:"timeUnit"`
		FrequencyUnit string  `json:"frequencyUnit"`
	} `json:"frequency"`
}

type riTheme struct {
	ID    string            `json:"_id"`
	Name  map[string]string `json:"name"`
	Short map[string]string `json:"short"`
}

// RefugiesInfoSource is the producer name of the records read from Réfugiés.info.
const RefugiesInfoSource = "refugies-info"

// NationalScope is the part of a source that covers the whole country (or online).
const NationalScope = "france"

func (c RefugiesInfo) fetch(ctx context.Context, path string) ([]json.RawMessage, error) {
	var r riReply
	if err := getJSON(ctx, c.HTTP, "Réfugiés.info", strings.TrimRight(c.BaseURL, "/")+path, "", &r); err != nil {
		return nil, err
	}
	if r.Text != "success" || r.Data == nil {
		return nil, &ErrSource{Source: "Réfugiés.info", Msg: fmt.Sprintf("réponse inattendue (text=%q)", r.Text)}
	}
	return r.Data, nil
}

// Batches reads the published sheets and returns one batch per covered department that
// has sheets or had some (every covered department, and the national part): a sheet is
// placed in the first covered department it names (its eligibility zone lists them all),
// or in NationalScope for "france" and "online". Démarches (national procedures, not
// local offers) and sheets outside the covered departments are left out.
func (c RefugiesInfo) Batches(ctx context.Context, covered []string) ([]db.SyncBatch, error) {
	if c.BaseURL == "" {
		return nil, errors.New("Réfugiés.info : AGIR_REFUGIESINFO_URL n'est pas configurée (contenu sous autorisation de l'éditeur)")
	}
	rawThemes, err := c.fetch(ctx, "/themes")
	if err != nil {
		return nil, err
	}
	themes := map[string][]string{}
	for _, raw := range rawThemes {
		var t riTheme
		if json.Unmarshal(raw, &t) != nil || t.ID == "" {
			continue // a theme we cannot read maps to no thematique
		}
		themes[t.ID] = themeThematiques(t)
	}
	rawSheets, err := c.fetch(ctx, "/dispositifs?locale=fr&type=dispositif")
	if err != nil {
		return nil, err
	}
	return c.batches(rawSheets, themes, covered), nil
}

type placedSheet struct {
	raw       json.RawMessage
	sheet     riSheet
	err       error
	scope     string
	zone      []string
	structure string // external id of its structure
}

func (c RefugiesInfo) batches(rawSheets []json.RawMessage, themes map[string][]string, covered []string) []db.SyncBatch {
	byScope := map[string]*db.SyncBatch{}
	scopes := append(slices.Sorted(slices.Values(covered)), NationalScope)
	for _, d := range scopes {
		byScope[d] = &db.SyncBatch{Origin: model.OfferOriginRefugiesInfo, Department: d, Complete: true}
	}
	var placed []placedSheet
	// a structure per sponsor: its date and departments over all its sheets, so that it
	// reads the same in every batch
	type sponsor struct {
		name        string
		updated     time.Time
		departments []string
		scopes      []string
	}
	sponsors := map[string]*sponsor{}
	for i, raw := range rawSheets {
		var s riSheet
		p := placedSheet{raw: raw}
		if err := json.Unmarshal(raw, &s); err != nil {
			p.err = model.Errorf(model.CodeInvalidFormat, model.Path("dispositifs", strconv.Itoa(i)), "fiche illisible : %v", err)
			var id struct {
				ID string `json:"_id"`
			}
			if json.Unmarshal(raw, &id) == nil {
				s.ID = id.ID
			}
			p.sheet, p.scope = s, NationalScope
			placed = append(placed, p)
			continue
		}
		if s.TypeContenu != "dispositif" {
			continue // a démarche is a national procedure, not a local offer
		}
		p.sheet = s
		zone, national, err := riLocation(s.Metadatas.Location)
		switch {
		case err != nil:
			p.err, p.scope = err, NationalScope
		case national:
			p.scope, p.zone = NationalScope, []string{"france"}
		default:
			for _, d := range zone {
				if slices.Contains(covered, d) {
					p.scope = d
					break
				}
			}
			p.zone = zone
		}
		if p.scope == "" {
			continue // outside the covered departments
		}
		if p.err == nil && (s.Sponsor == nil || strings.TrimSpace(s.Sponsor.Nom) == "") {
			p.err = model.Errorf(model.CodeInvalidInput, model.Path("dispositifs", strconv.Itoa(i), "sponsor"),
				"fiche sans structure porteuse (« sponsor ») : elle ne peut pas être rattachée")
		}
		if p.err == nil {
			p.structure = sponsorID(s.Sponsor.ID, s.Sponsor.Nom)
			sp := sponsors[p.structure]
			if sp == nil {
				sp = &sponsor{name: strings.TrimSpace(s.Sponsor.Nom)}
				sponsors[p.structure] = sp
			}
			if s.LastModificationDate != nil && s.LastModificationDate.After(sp.updated) {
				sp.updated = *s.LastModificationDate
			}
			for _, d := range p.zone {
				if d != "france" && slices.Contains(covered, d) && !slices.Contains(sp.departments, d) {
					sp.departments = append(sp.departments, d)
				}
			}
			if !slices.Contains(sp.scopes, p.scope) {
				sp.scopes = append(sp.scopes, p.scope)
			}
		}
		placed = append(placed, p)
	}
	for id, sp := range sponsors {
		slices.Sort(sp.departments)
		rec := model.DIStructure{Source: RefugiesInfoSource, ID: id, Nom: sponsorName(sp.name),
			DateMaj: model.DateOf(sp.updated).String(), LienSource: nil,
			Extension: &model.DIStructureExt{RoleAgir: string(model.StructureRoleLocalPartner), Departements: model.NonNilStrings(sp.departments)}}
		raw, err := json.Marshal(rec)
		for _, scope := range sp.scopes {
			byScope[scope].Structures = append(byScope[scope].Structures, db.SyncStructure{ExternalID: id, Raw: raw, Err: err})
		}
	}
	for _, p := range placed {
		id := RefugiesInfoSource + "--" + p.sheet.ID
		if p.err != nil {
			byScope[p.scope].Services = append(byScope[p.scope].Services, db.SyncService{ExternalID: id, Err: p.err})
			continue
		}
		raw, err := json.Marshal(c.service(p.sheet, p.structure, p.zone, themes))
		byScope[p.scope].Services = append(byScope[p.scope].Services, db.SyncService{ExternalID: id, Raw: raw, Err: err})
	}
	var unreadable []string // listed, though we cannot tell where: archived nowhere
	for _, p := range placed {
		if p.err != nil && p.sheet.ID != "" {
			unreadable = append(unreadable, RefugiesInfoSource+"--"+p.sheet.ID)
		}
	}
	out := make([]db.SyncBatch, 0, len(scopes))
	for _, d := range scopes {
		b := byScope[d]
		b.Listed = unreadable
		slices.SortFunc(b.Structures, func(x, y db.SyncStructure) int { return strings.Compare(x.ExternalID, y.ExternalID) })
		out = append(out, *b)
	}
	return out
}

// sponsorID is the id of a sponsor's structure: its Réfugiés.info id, or its name made
// into a slug when the list gives none.
func sponsorID(id, name string) string {
	if id = strings.TrimSpace(id); id != "" {
		return RefugiesInfoSource + "--structure-" + id
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return RefugiesInfoSource + "--structure-" + strings.TrimSuffix(b.String(), "-")
}

// sponsorName makes a structure name of a sponsor's: v1 names are 3 to 150 characters,
// without a final period.
func sponsorName(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), ".")
	if r := []rune(s); len(r) > 150 {
		s = string(r[:150])
	}
	return s
}

// riLocation reads metadatas.location: "france" or "online" (national), or a list of
// departments written "35 - Ille-et-Vilaine" (sometimes "5 - Hautes-Alpes", without the
// leading zero). Absent or null: national.
func riLocation(raw json.RawMessage) (zone []string, national bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return nil, true, nil // "france" or "online"
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, false, model.Errorf(model.CodeInvalidFormat, model.Path("metadatas", "location"), "localisation illisible : %s", raw)
	}
	for _, l := range list {
		code := strings.TrimSpace(strings.SplitN(l, "-", 2)[0])
		if code == "" || strings.EqualFold(code, "france") || strings.EqualFold(code, "online") {
			return nil, true, nil
		}
		if len(code) == 1 {
			code = "0" + code
		}
		code = strings.ToUpper(code)
		if !model.ValidDepartment(code) {
			return nil, false, model.Errorf(model.CodeInvalidInput, model.Path("metadatas", "location"), "département « %s » inconnu", l)
		}
		if !slices.Contains(zone, code) {
			zone = append(zone, code)
		}
	}
	if len(zone) == 0 {
		return nil, true, nil
	}
	return zone, false, nil
}

// themeThematiques maps a Réfugiés.info theme (by its French name) to data·inclusion
// thematiques; a theme without an equivalent maps to none.
func themeThematiques(t riTheme) []string {
	name := strings.ToLower(unaccentFold(t.Short["fr"] + " " + t.Name["fr"]))
	rules := []struct {
		word  string
		theme string
	}{
		{"francais", "lecture-ecriture-calcul--maitriser-le-francais"},
		{"emploi", "trouver-un-emploi--repondre-a-des-offres-demploi"},
		{"travail", "trouver-un-emploi--repondre-a-des-offres-demploi"},
		{"formation", "se-former--trouver-sa-formation"},
		{"etude", "se-former--trouver-sa-formation"},
		{"logement", "logement-hebergement--louer-un-logement"},
		{"hebergement", "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"},
		{"sante", "sante--acces-aux-soins"},
		{"demarche", "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"},
		{"administrati", "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"},
		{"droit", "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"},
		{"citoyen", "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete"},
		{"mobilite", "mobilite--etre-accompagne-dans-son-parcours-mobilite"},
		{"transport", "mobilite--etre-accompagne-dans-son-parcours-mobilite"},
		{"numerique", "numerique--maitriser-les-fondamentaux-du-numerique"},
		{"parent", "famille--soutien-a-la-parentalite-et-a-leducation"},
		{"famille", "famille--soutien-a-la-parentalite-et-a-leducation"},
		{"culture", "remobilisation--activites-sportives-et-culturelles"},
		{"loisir", "remobilisation--activites-sportives-et-culturelles"},
		{"sport", "remobilisation--activites-sportives-et-culturelles"},
		{"benevol", "remobilisation--benevolat-action-citoyenne"},
		{"rencontr", "remobilisation--lien-social"},
		{"vivre en france", "remobilisation--lien-social"},
		{"argent", "difficultes-financieres--ameliorer-sa-gestion-budgetaire"},
		{"budget", "difficultes-financieres--ameliorer-sa-gestion-budgetaire"},
	}
	var out []string
	for _, r := range rules {
		if strings.Contains(name, r.word) && !slices.Contains(out, r.theme) {
			out = append(out, r.theme)
		}
	}
	return out
}

func unaccentFold(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "É", "e", "à", "a", "â", "a", "ç", "c", "î", "i", "ï", "i",
		"ô", "o", "û", "u", "ù", "u").Replace(s)
}

// Réfugiés.info's closed lists, mapped to data·inclusion and the AGIR extension.
var (
	riPublics = map[string]string{"family": "familles", "women": "femmes", "youths": "jeunes", "senior": "seniors"}
	riStatus  = map[string]model.ProtectionStatus{"refugie": model.ProtectionStatusRefugee,
		"subsidiaire": model.ProtectionStatusSubsidiaryProtection, "apatride": model.ProtectionStatusStateless}
	riStatusLabel = map[string]string{"asile": "demandeurs d'asile", "temporaire": "bénéficiaires de la protection temporaire",
		"french": "personnes de nationalité française"}
	riConditions = map[string]string{"acte naissance": "acte de naissance", "titre sejour": "titre de séjour",
		"cir": "contrat d'intégration républicaine (CIR)", "bank account": "compte bancaire",
		"pole emploi": "inscription à France Travail", "driver license": "permis de conduire", "school": "certificat de scolarité"}
	riTimeUnits = map[string]string{"sessions": "séances", "hours": "heures", "half-days": "demi-journées", "days": "jours",
		"weeks": "semaines", "months": "mois", "trimesters": "trimestres", "semesters": "semestres", "years": "ans"}
)

// service maps a sheet to a data·inclusion v1 service with the AGIR extension.
func (c RefugiesInfo) service(s riSheet, structureID string, zone []string, themes map[string][]string) model.DIService {
	site := c.SiteURL
	if site == "" {
		site = "https://refugies.info"
	}
	link := strings.TrimRight(site, "/") + "/fr/dispositif/" + s.ID
	out := model.DIService{Source: RefugiesInfoSource, StructureID: structureID, ID: RefugiesInfoSource + "--" + s.ID,
		Nom: strings.TrimSpace(s.TitreInformatif), Description: strings.TrimSpace(s.Abstract), LienSource: &link,
		ZoneEligibilite: zone}
	if s.TitreMarque != nil && strings.TrimSpace(*s.TitreMarque) != "" && out.Description != "" {
		out.Description = strings.TrimSpace(*s.TitreMarque) + " : " + out.Description
	}
	if s.LastModificationDate != nil {
		out.DateMaj = model.DateOf(*s.LastModificationDate).String()
	}
	for _, id := range append(nonNil(s.Theme), s.SecondaryThemes...) {
		for _, t := range themes[id] {
			if !slices.Contains(out.Thematiques, t) {
				out.Thematiques = append(out.Thematiques, t)
			}
		}
	}
	m := s.Metadatas
	var loc string
	if json.Unmarshal(m.Location, &loc) == nil && loc == "online" {
		out.ModesAccueil = []string{"a-distance"}
	}
	publics := []string{"personnes-exilees"} // Réfugiés.info's sheets are for exiles
	var details []string
	for _, p := range m.Public {
		if d, ok := riPublics[p]; ok && !slices.Contains(publics, d) {
			publics = append(publics, d)
		}
	}
	ext := &model.DIServiceExt{Langues: []string{}, StatutsProtection: []string{}, PiecesRequises: []string{}, Sessions: []model.OfferSession{}}
	for _, st := range m.PublicStatus {
		if p, ok := riStatus[st]; ok {
			ext.StatutsProtection = append(ext.StatutsProtection, string(p))
		} else if l, ok := riStatusLabel[st]; ok {
			details = append(details, l)
		}
	}
	if a := m.Age; a != nil && len(a.Ages) > 0 {
		switch {
		case a.Type == "lessThan":
			details = append(details, fmt.Sprintf("moins de %g ans", a.Ages[0]))
		case a.Type == "moreThan":
			details = append(details, fmt.Sprintf("plus de %g ans", a.Ages[0]))
		case a.Type == "between" && len(a.Ages) > 1:
			details = append(details, fmt.Sprintf("de %g à %g ans", a.Ages[0], a.Ages[1]))
		}
	}
	out.Publics = publics
	if len(details) > 0 {
		d := "Public : " + strings.Join(details, ", ") + "."
		out.PublicsPrecisions = &d
	}
	if p := m.Price; p != nil {
		var frais, precision string
		switch {
		case len(p.Values) == 1 && p.Values[0] == 0:
			frais = "gratuit"
		case len(p.Values) == 0:
			frais, precision = "payant", "prix libre"
		default:
			frais = "payant"
			parts := make([]string, len(p.Values))
			for i, v := range p.Values {
				parts[i] = fmt.Sprintf("%g €", v)
			}
			precision = strings.Join(parts, " à ")
			if p.Details != nil {
				precision += " (" + *p.Details + ")"
			}
		}
		out.Frais = &frais
		if precision != "" {
			out.FraisPrecisions = &precision
		}
	}
	var conditions []string
	if cm := m.Commitment; cm != nil && len(cm.Hours) > 0 {
		conditions = append(conditions, fmt.Sprintf("engagement : %g %s", cm.Hours[0], riTimeUnits[cm.TimeUnit]))
	}
	if f := m.Frequency; f != nil && f.Hours > 0 {
		conditions = append(conditions, fmt.Sprintf("fréquence : %g %s par %s", f.Hours, riTimeUnits[f.TimeUnit], f.FrequencyUnit))
	}
	if len(conditions) > 0 {
		c := strings.Join(conditions, " ; ")
		out.ConditionsAcces = &c
	}
	for _, cond := range m.Conditions {
		if l, ok := riConditions[cond]; ok {
			ext.PiecesRequises = append(ext.PiecesRequises, l)
		}
	}
	// the languages the sheet is translated into: the languages its information reaches
	for _, l := range s.AvailableLanguages {
		if len(l) >= 2 && len(l) <= 3 && strings.ToLower(l) == l && !slices.Contains(ext.Langues, l) {
			ext.Langues = append(ext.Langues, l)
		}
	}
	// the lowest level the sheet admits; "alpha" (not yet literate) or no level: none required
	if len(m.FrenchLevel) > 0 && !slices.Contains(m.FrenchLevel, "alpha") {
		for _, l := range model.CefrLevels {
			if slices.Contains(m.FrenchLevel, string(l)) {
				level := string(l)
				ext.NiveauFrancaisRequis = &level
				break
			}
		}
	}
	out.Extension = ext
	return out
}

func nonNil(s *string) []string {
	if s == nil {
		return nil
	}
	return []string{*s}
}
