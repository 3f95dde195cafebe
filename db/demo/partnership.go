package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// town is a place of the demo territory with its codes and centre.
type town struct {
	name, postal, insee string
	lat, lon            float64
}

var demoTowns = map[string][]town{
	"69": {
		{"Lyon", "69003", "69383", 45.7597, 4.8422}, {"Lyon", "69007", "69387", 45.7456, 4.8424},
		{"Lyon", "69008", "69388", 45.7370, 4.8699}, {"Villeurbanne", "69100", "69266", 45.7719, 4.8902},
		{"Vénissieux", "69200", "69259", 45.6975, 4.8867}, {"Vaulx-en-Velin", "69120", "69256", 45.7786, 4.9203},
		{"Bron", "69500", "69029", 45.7386, 4.9131}, {"Saint-Priest", "69800", "69290", 45.6967, 4.9440},
		{"Villefranche-sur-Saône", "69400", "69264", 45.9897, 4.7186}, {"Givors", "69700", "69091", 45.5906, 4.7692},
	},
	"38": {
		{"Grenoble", "38000", "38185", 45.1885, 5.7245}, {"Grenoble", "38100", "38185", 45.1770, 5.7310},
		{"Échirolles", "38130", "38151", 45.1436, 5.7200}, {"Saint-Martin-d'Hères", "38400", "38421", 45.1672, 5.7653},
		{"Fontaine", "38600", "38169", 45.1928, 5.6856}, {"Vienne", "38200", "38544", 45.5256, 4.8744},
		{"Bourgoin-Jallieu", "38300", "38053", 45.5861, 5.2736}, {"Voiron", "38500", "38563", 45.3644, 5.5897},
		{"Villefontaine", "38090", "38553", 45.6131, 5.1497},
	},
}

var streets = []string{"rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard des Etats-Unis",
	"rue Paul Bert", "cours Gambetta", "place du Marché", "rue Pasteur", "avenue de la Libération", "rue des Alliés"}

// offerTemplate is a kind of offer the demo partners provide.
type offerTemplate struct {
	name, description, typ string
	themes                 []string
	publics                []string
	cost                   string
	level                  string
	languages              []string
	sector                 string
}

var offerTemplates = []offerTemplate{
	{"Cours de français langue étrangère (FLE)", "Cours collectifs de français langue étrangère pour adultes, du niveau A1 au niveau B1, en petits groupes de 12 personnes. Les cours portent sur la vie quotidienne, les démarches administratives et le monde du travail. Un test de positionnement est proposé à l'entrée.", "formation",
		[]string{"lecture-ecriture-calcul--maitriser-le-francais"}, []string{"personnes-exilees"}, "gratuit", "", []string{"fr", "en", "ar"}, "FRENCH"},
	{"Atelier de conversation en français", "Atelier hebdomadaire de conversation animé par des bénévoles pour pratiquer le français oral dans un cadre convivial.", "atelier",
		[]string{"lecture-ecriture-calcul--maitriser-le-francais"}, []string{"tous-publics"}, "gratuit", "A1", []string{"fr"}, "FRENCH"},
	{"Accompagnement vers l'emploi des réfugiés", "Accompagnement individuel vers l'emploi : définition du projet professionnel, reconnaissance des diplômes étrangers, préparation aux entretiens d'embauche et mise en relation avec des employeurs du territoire qui recrutent. Suivi pendant les six premiers mois dans l'emploi.", "accompagnement",
		[]string{"trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs", "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"}, []string{"personnes-exilees", "demandeurs-emploi"}, "gratuit", "A2", []string{"fr", "en", "prs", "ps"}, "EMPLOYMENT"},
	{"Atelier CV et lettre de motivation", "Atelier collectif pour rédiger son CV et sa lettre de motivation adaptés au marché du travail français, avec un accès à des ordinateurs.", "atelier",
		[]string{"preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"}, []string{"demandeurs-emploi"}, "gratuit", "A2", []string{"fr"}, "EMPLOYMENT"},
	{"Aide à l'accès au logement", "Information et accompagnement pour la demande de logement social, la constitution du dossier, la recherche d'un logement dans le parc privé et l'ouverture des droits aux aides au logement. Intervention possible d'un travailleur social pour les situations complexes.", "accompagnement",
		[]string{"logement-hebergement--louer-un-logement", "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"}, []string{"personnes-exilees", "familles"}, "gratuit", "", []string{"fr", "ar", "ti"}, "HOUSING"},
	{"Permanence d'accès aux droits", "Permanence sans rendez-vous pour l'ouverture des droits : assurance maladie, complémentaire santé solidaire, prestations familiales, RSA. Aide à la création des comptes en ligne et au suivi des dossiers.", "information",
		[]string{"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits", "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"}, []string{"tous-publics"}, "gratuit", "", []string{"fr", "en"}, "RIGHTS"},
	{"Consultations de santé sans avance de frais", "Consultations de médecine générale et orientation vers les spécialistes, avec interprétariat professionnel par téléphone. Bilan de santé à l'arrivée et prévention.", "accompagnement",
		[]string{"sante--acces-aux-soins"}, []string{"personnes-exilees", "personnes-en-situation-durgence"}, "gratuit", "", []string{"fr", "ar", "ru", "uk"}, "HEALTH"},
	{"Formation qualifiante aux métiers du bâtiment", "Formation qualifiante de six mois aux métiers du second œuvre du bâtiment, avec stage en entreprise et remise à niveau en français professionnel. Rémunération possible pendant la formation selon la situation.", "formation",
		[]string{"se-former--trouver-sa-formation", "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"}, []string{"demandeurs-emploi", "jeunes"}, "gratuit", "A2", []string{"fr"}, "TRAINING"},
	{"Aide au permis de conduire", "Accompagnement au permis de conduire : code de la route adapté aux personnes apprenant le français, financement partiel des leçons de conduite.", "aide-financiere",
		[]string{"mobilite--etre-accompagne-dans-son-parcours-mobilite", "mobilite--financer-ma-mobilite"}, []string{"demandeurs-emploi"}, "payant", "A2", []string{"fr"}, "MOBILITY"},
	{"Épicerie solidaire", "Accès à des produits alimentaires et d'hygiène à prix réduit, sur orientation d'un travailleur social.", "aide-materielle",
		[]string{"equipement-et-alimentation--alimentation"}, []string{"familles", "beneficiaires-des-minimas-sociaux"}, "payant", "", []string{"fr"}, "SOCIAL_ACTION"},
	{"Atelier numérique : démarches en ligne", "Atelier pour apprendre à utiliser un ordinateur et un smartphone pour les démarches administratives en ligne (France Travail, CAF, impots.gouv).", "atelier",
		[]string{"numerique--acceder-a-des-services-en-ligne"}, []string{"tous-publics"}, "gratuit", "A1", []string{"fr", "en"}, "RIGHTS"},
	{"Garde d'enfants pendant les cours", "Halte-garderie pour les enfants de moins de 6 ans des parents qui suivent une formation ou un cours de français.", "aide-materielle",
		[]string{"famille--garde-denfants"}, []string{"familles", "femmes"}, "gratuit", "", []string{"fr"}, "SOCIAL_ACTION"},
}

// luhnSIRET returns a SIRET with a valid Luhn key from 13 digits.
func luhnSIRET(prefix string) string {
	for d := 0; d < 10; d++ {
		s := fmt.Sprintf("%s%d", prefix, d)
		if model.ValidSIRET(s) {
			return s
		}
	}
	return ""
}

func (g *gen) loadPartnership() error {
	now := time.Now()
	// Structures: address, coordinates, SIRET, hours, sectors, networks.
	all := append(append([]demoStructure{}, operators...), partners...)
	networks := map[string]string{"Mission locale": "mission-locale", "France Travail": "france-travail", "CPAM": "cpam",
		"CAF": "caf", "CCAS": "ccas-cias", "GRETA": "regions", "AFPA": "afpa", "Cimade": "federation-des-acteurs-de-la-solidarite",
		"Envie": "ei", "Chantier": "aci", "Wimoov": "wimoov", "Singa": "singa", "Adoma": "huda"}
	for i, s := range all {
		key := g.ids[structureKey(shortName(s.name))]
		t := demoTowns[s.departments[0]][g.rnd.IntN(len(demoTowns[s.departments[0]]))]
		addr := fmt.Sprintf("%d %s", 1+g.rnd.IntN(120), streets[g.rnd.IntN(len(streets))])
		nets := []string{}
		for prefix, n := range networks {
			if strings.Contains(s.name, prefix) {
				nets = append(nets, n)
			}
		}
		sectors := []string{"SOCIAL_ACTION"}
		switch s.role {
		case "EMPLOYMENT_OPERATOR":
			sectors = []string{"EMPLOYMENT", "TRAINING", "FRENCH"}
		case "SOCIAL_OPERATOR":
			sectors = []string{"HOUSING", "RIGHTS", "HEALTH", "SOCIAL_ACTION"}
		}
		_, err := g.tx.ExecContext(g.ctx, `UPDATE structures SET siret = $2, adresse = $3, commune = $4, code_postal = $5,
			code_insee = $6, latitude = $7, longitude = $8, telephone = $9, courriel = $10, horaires_accueil = $11,
			reseaux_porteurs = $12, sectors = $13, description = $14 WHERE id = $1`, key,
			luhnSIRET(fmt.Sprintf("%09d%04d", 775600000+i*1013, 10+i)), addr, t.name, t.postal, t.insee,
			t.lat+(g.rnd.Float64()-0.5)*0.02, t.lon+(g.rnd.Float64()-0.5)*0.02,
			fmt.Sprintf("+334%08d", g.rnd.IntN(100000000)), fmt.Sprintf("contact%d@demo.agir.local", i),
			"Mo-Fr 09:00-12:30,13:30-17:00; PH off", nets, sectors,
			"Structure du réseau AGIR ("+s.name+").")
		if err != nil {
			return fmt.Errorf("structure %s: %w", s.name, err)
		}
	}
	// Offers: about a dozen per structure, spread over its towns.
	verifier := g.ids["staff:partner_editor"]
	var offerKeys []string
	offersBySector := map[string][]string{}
	for i, s := range all {
		if s.role == "STATE_SERVICE" || s.role == "COORDINATOR" {
			continue
		}
		structure := g.ids[structureKey(shortName(s.name))]
		n := 10 + g.rnd.IntN(6)
		for j := 0; j < n; j++ {
			tpl := offerTemplates[(i*7+j)%len(offerTemplates)]
			dep := s.departments[j%len(s.departments)]
			t := demoTowns[dep][g.rnd.IntN(len(demoTowns[dep]))]
			addr := fmt.Sprintf("%d %s", 1+g.rnd.IntN(150), streets[g.rnd.IntN(len(streets))])
			lat, lon := t.lat+(g.rnd.Float64()-0.5)*0.03, t.lon+(g.rnd.Float64()-0.5)*0.04
			phone := fmt.Sprintf("+334%08d", g.rnd.IntN(100000000))
			email := fmt.Sprintf("offre%d.%d@demo.agir.local", i, j)
			cost := tpl.cost
			var costDetails *string
			if cost == "payant" {
				d := "Participation de 5 € par mois, gratuite pour les bénéficiaires du RSA"
				costDetails = &d
			}
			f := model.OfferFields{Name: fmt.Sprintf("%s — %s", tpl.name, t.name), Description: tpl.description,
				ServiceType: &tpl.typ, Themes: tpl.themes, Publics: tpl.publics, Cost: &cost, CostDetails: costDetails,
				ReceptionModes: []string{"en-presentiel"}, MobilisationModes: []string{"telephoner", "envoyer-un-courriel"},
				MobilisableBy: []string{"professionnels", "usagers"}, Phone: &phone, Email: &email, Address: &addr,
				City: &t.name, PostalCode: &t.postal, InseeCode: &t.insee, Latitude: &lat, Longitude: &lon,
				EligibilityZone: []string{dep}, SpokenLanguages: tpl.languages, DocumentsRequired: []string{"titre de séjour", "attestation CAF"},
				ProtectionStatuses: []model.ProtectionStatus{}}
			if j%3 == 0 {
				oh := []string{"Mo-Fr 09:00-12:00", "Tu,Th 14:00-17:30", "Mo-Fr 08:30-12:30,13:30-17:00; PH off", "We 09:00-12:00; Sa[1] 10:00-12:00"}[j%4]
				f.OpeningHours = &oh
			}
			if j%5 == 0 {
				f.ReceptionModes = []string{"en-presentiel", "a-distance"}
				f.ProtectionStatuses = []model.ProtectionStatus{model.ProtectionStatusRefugee, model.ProtectionStatusSubsidiaryProtection}
			}
			if tpl.level != "" {
				l := model.CefrLevel(tpl.level)
				f.FrenchLevelRequired = &l
			}
			if tpl.typ == "formation" || tpl.typ == "atelier" {
				c := 8 + g.rnd.IntN(12)
				f.Capacity = &c
				start := model.DateOf(now).AddDate(0, 0, 7+g.rnd.IntN(60))
				end := start.AddDate(0, 3, 0)
				f.Sessions = []model.OfferSession{{StartsOn: start, EndsOn: &end}}
			}
			f.Normalize()
			status := "PUBLISHED"
			switch {
			case j == n-1:
				status = "DRAFT"
			case j == n-2 && i%3 == 0:
				status = "ARCHIVED"
			}
			// verified between 0 and 10 months ago: those older than 6 months are stale
			verifiedAt := now.AddDate(0, -g.rnd.IntN(11), -g.rnd.IntN(28))
			created := verifiedAt.AddDate(0, -g.rnd.IntN(12), 0)
			sessions, _ := json.Marshal(f.Sessions)
			var key string
			err := g.tx.GetContext(g.ctx, &key, `INSERT INTO offers (structure_id, nom, description, type, thematiques, publics,
				frais, frais_precisions, modes_accueil, modes_mobilisation, mobilisable_par, telephone, courriel, adresse,
				commune, code_postal, code_insee, department, latitude, longitude, horaires_accueil, zone_eligibilite, langues,
				statuts_protection, niveau_francais_requis, pieces_requises, capacite, sessions, status, verified_at,
				verified_by, quality_score, date_maj, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
				$23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $34) RETURNING id`,
				structure, f.Name, f.Description, f.ServiceType, f.Themes, f.Publics, f.Cost, f.CostDetails,
				f.ReceptionModes, f.MobilisationModes, f.MobilisableBy, f.Phone, f.Email,
				f.Address, f.City, f.PostalCode, f.InseeCode, dep, f.Latitude, f.Longitude, f.OpeningHours,
				f.EligibilityZone, f.SpokenLanguages, protectionStrings(f.ProtectionStatuses),
				levelString(f.FrenchLevelRequired), f.DocumentsRequired, f.Capacity, string(sessions), status,
				verifiedAt, verifier, model.QualityScore(f.QualityCriteria()), model.DateOf(verifiedAt), created)
			if err != nil {
				return fmt.Errorf("offer %s: %w", f.Name, err)
			}
			if status == "PUBLISHED" {
				offerKeys = append(offerKeys, key)
				offersBySector[tpl.sector] = append(offersBySector[tpl.sector], key)
			}
		}
	}
	g.ids["offers:published"] = fmt.Sprint(len(offerKeys))
	return g.loadNetwork(now, offersBySector)
}

func protectionStrings(s []model.ProtectionStatus) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

func levelString(l *model.CefrLevel) *string {
	if l == nil {
		return nil
	}
	s := string(*l)
	return &s
}

// loadNetwork adds working groups, events with minutes and attendance, good practices
// and emerging needs.
func (g *gen) loadNetwork(now time.Time, offersBySector map[string][]string) error {
	groups := []struct{ key, name, theme, description string }{
		{"wg:housing", "Groupe de travail logement des BPI", "HOUSING", "Fluidifier l'accès au logement social et au parc privé pour les bénéficiaires de la protection internationale."},
		{"wg:employment", "Groupe de travail emploi et langue", "EMPLOYMENT", "Articuler cours de français et parcours vers l'emploi avec les employeurs du territoire."},
	}
	for _, wg := range groups {
		if err := g.insert(wg.key, `INSERT INTO working_groups (name, theme, description, departments) VALUES ($1, $2, $3, $4) RETURNING id`,
			wg.name, wg.theme, wg.description, Departments); err != nil {
			return err
		}
	}
	members := map[string][]string{
		"wg:housing":    {"ARSL", "Habitat et Humanisme Rhône", "Adoma Isère", "CCAS de Villeurbanne", "CAF du Rhône"},
		"wg:employment": {"ASFEL", "Mission locale de Lyon", "France Travail Lyon Part-Dieu", "GRETA Lyon Métropole", "Alliance française de Lyon"},
	}
	for wg, names := range members {
		for _, n := range names {
			if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO working_group_members (working_group_id, structure_id) VALUES ($1, $2)`,
				g.ids[wg], g.ids[structureKey(n)]); err != nil {
				return err
			}
		}
	}
	events := []struct {
		key, kind, title, theme, group string
		days                           int
		invited                        []string
	}{
		{"ev:kickoff", "MEETING", "Réunion de lancement du réseau AGIR Rhône-Isère", "SOCIAL_ACTION", "", -90, []string{"ARSL", "ASFEL", "Mission locale de Lyon", "CAF du Rhône", "CPAM du Rhône", "Cimade Lyon"}},
		{"ev:housing1", "WORKING_GROUP", "Logement : bilan des propositions du trimestre", "HOUSING", "wg:housing", -45, []string{"ARSL", "Habitat et Humanisme Rhône", "Adoma Isère", "CCAS de Villeurbanne"}},
		{"ev:exchange1", "EXCHANGE_SESSION", "Temps d'échange : interprétariat en santé", "HEALTH", "", -20, []string{"Centre de santé Essor", "Médecins du Monde Grenoble", "ARSL", "CPAM de l'Isère"}},
		{"ev:employment1", "WORKING_GROUP", "Emploi et langue : parcours intégrés FLE-emploi", "EMPLOYMENT", "wg:employment", -10, []string{"ASFEL", "GRETA Lyon Métropole", "Alliance française de Lyon", "France Travail Lyon Part-Dieu"}},
		{"ev:meeting2", "MEETING", "Réunion trimestrielle du réseau", "SOCIAL_ACTION", "", 15, []string{"ARSL", "ASFEL", "Mission locale de Lyon", "Singa Lyon", "Wimoov Auvergne-Rhône-Alpes"}},
		{"ev:mobility", "EXCHANGE_SESSION", "Mobilité : lever les freins à l'emploi", "MOBILITY", "", 30, []string{"Wimoov Auvergne-Rhône-Alpes", "ASFEL", "France Travail Grenoble Bastille"}},
	}
	for _, e := range events {
		starts := time.Date(now.Year(), now.Month(), now.Day(), 9, 30, 0, 0, model.Paris).AddDate(0, 0, e.days)
		var group *string
		if e.group != "" {
			k := g.ids[e.group]
			group = &k
		}
		var minutes *string
		if e.days < 0 {
			m := "Compte rendu : tour de table des structures, points de blocage identifiés, actions décidées et responsables désignés."
			minutes = &m
		}
		if err := g.insert(e.key, `INSERT INTO network_events (kind, title, theme, starts_at, ends_at, location, departments, agenda,
			minutes, working_group_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, e.kind, e.title, e.theme,
			starts, starts.Add(2*time.Hour), "Maison des associations, Lyon 3e", Departments,
			"1. Tour de table\n2. Points d'actualité\n3. Questions diverses", minutes, group); err != nil {
			return err
		}
		for i, n := range e.invited {
			var attended *bool
			if e.days < 0 {
				a := i%4 != 3
				attended = &a
			}
			if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO network_event_participants (event_id, structure_id, invited, attended)
				VALUES ($1, $2, true, $3)`, g.ids[e.key], g.ids[structureKey(n)], attended); err != nil {
				return err
			}
		}
	}
	practices := []struct{ title, description, event string }{
		{"Binôme interprète-travailleur social pour le premier rendez-vous", "Prévoir un interprète professionnel dès le premier entretien santé : la compréhension du parcours de soins en dépend.", "ev:exchange1"},
		{"Commission logement mensuelle partagée", "Une commission mensuelle réunit bailleurs et opérateurs pour examiner ensemble les candidatures des BPI prêts au relogement.", "ev:housing1"},
		{"Cours de français sur le lieu de formation", "Organiser les cours de FLE dans les locaux du centre de formation évite les déplacements et favorise l'assiduité.", "ev:employment1"},
		{"Fiche navette entre opérateurs", "Une fiche navette unique entre opérateur social et opérateur emploi évite de redemander les mêmes pièces au bénéficiaire.", "ev:kickoff"},
		{"Atelier code de la route en FALC", "Le code de la route en français facile à lire et à comprendre accélère l'obtention du permis.", ""},
	}
	for i, p := range practices {
		var event *string
		if p.event != "" {
			k := g.ids[p.event]
			event = &k
		}
		if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO good_practices (title, description, event_id, tags, departments, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, p.title, p.description, event, []string{"partenariat", []string{"santé", "logement", "langue", "coordination", "mobilité"}[i]},
			Departments, now.AddDate(0, 0, -60+i*10)); err != nil {
			return err
		}
	}
	needs := []struct {
		description, theme, department, status, reporter, sector string
		count                                                    int
	}{
		{"Manque de places de cours de français intensifs pour les niveaux A1 en Nord-Isère.", "FRENCH", "38", "IDENTIFIED", "ASFEL", "FRENCH", 24},
		{"Pas de solution de garde d'enfants compatible avec les horaires des formations à Vénissieux.", "SOCIAL_ACTION", "69", "IN_PROGRESS", "ARSL", "SOCIAL_ACTION", 12},
		{"Délais de plus de 3 mois pour l'ouverture des droits CSS après la signature du CIR.", "RIGHTS", "69", "IN_PROGRESS", "ARSL", "RIGHTS", 35},
		{"Besoin d'interprétariat en dari et pachto pour les consultations de santé mentale.", "HEALTH", "38", "IDENTIFIED", "Médecins du Monde Grenoble", "HEALTH", 9},
		{"Offre de mobilité insuffisante vers les zones d'emploi de l'Est lyonnais.", "MOBILITY", "69", "ADDRESSED", "ASFEL", "MOBILITY", 18},
		{"Hébergement temporaire des familles rejoignantes à leur arrivée.", "HOUSING", "38", "DROPPED", "Adoma Isère", "HOUSING", 6},
	}
	for i, n := range needs {
		var key string
		if err := g.tx.GetContext(g.ctx, &key, `INSERT INTO emerging_needs (description, theme, department, reported_by_structure,
			reported_at, beneficiaries_concerned, status) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, n.description, n.theme,
			n.department, g.ids[structureKey(n.reporter)], now.AddDate(0, 0, -50+i*7), n.count, n.status); err != nil {
			return err
		}
		if n.status != "IDENTIFIED" {
			for _, o := range offersBySector[n.sector][:min(2, len(offersBySector[n.sector]))] {
				if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO emerging_need_offers (need_id, offer_id) VALUES ($1, $2)`, key, o); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
