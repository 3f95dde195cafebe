package demo

import (
	"fmt"
)

type demoStructure struct {
	name, role  string
	departments []string
}

var operators = []demoStructure{
	{"ARSL — Association Relais Solidarité Logement", "SOCIAL_OPERATOR", Departments},
	{"ASFEL — Association pour l'insertion et l'emploi", "EMPLOYMENT_OPERATOR", Departments},
	{"HESTIA — Coordination AGIR", "COORDINATOR", Departments},
	{"DDETS du Rhône", "STATE_SERVICE", []string{"69"}},
	{"DDETS de l'Isère", "STATE_SERVICE", []string{"38"}},
}

var partners = []demoStructure{
	{"Mission locale de Lyon", "LOCAL_PARTNER", []string{"69"}},
	{"France Travail Lyon Part-Dieu", "LOCAL_PARTNER", []string{"69"}},
	{"France Travail Grenoble Bastille", "LOCAL_PARTNER", []string{"38"}},
	{"CPAM du Rhône", "LOCAL_PARTNER", []string{"69"}},
	{"CPAM de l'Isère", "LOCAL_PARTNER", []string{"38"}},
	{"CAF du Rhône", "LOCAL_PARTNER", []string{"69"}},
	{"CAF de l'Isère", "LOCAL_PARTNER", []string{"38"}},
	{"CCAS de Villeurbanne", "LOCAL_PARTNER", []string{"69"}},
	{"CCAS de Grenoble", "LOCAL_PARTNER", []string{"38"}},
	{"Alliance française de Lyon", "LOCAL_PARTNER", []string{"69"}},
	{"GRETA Lyon Métropole", "LOCAL_PARTNER", []string{"69"}},
	{"GRETA Nord-Isère", "LOCAL_PARTNER", []string{"38"}},
	{"AFPA Vénissieux", "LOCAL_PARTNER", []string{"69"}},
	{"Habitat et Humanisme Rhône", "LOCAL_PARTNER", []string{"69"}},
	{"Adoma Isère", "LOCAL_PARTNER", []string{"38"}},
	{"Centre de santé Essor", "LOCAL_PARTNER", []string{"69"}},
	{"Médecins du Monde Grenoble", "LOCAL_PARTNER", []string{"38"}},
	{"Cimade Lyon", "LOCAL_PARTNER", []string{"69"}},
	{"Entreprise d'insertion Envie Rhône", "LOCAL_PARTNER", []string{"69"}},
	{"Chantier d'insertion Tremplin Isère", "LOCAL_PARTNER", []string{"38"}},
	{"Wimoov Auvergne-Rhône-Alpes", "LOCAL_PARTNER", Departments},
	{"Singa Lyon", "LOCAL_PARTNER", []string{"69"}},
}

// demoStaff are the accounts of the development tokens (auth.DevPrincipal uses
// "<role>@demo.agir.local"), then other workers of the operators.
var demoStaff = []struct{ key, name, email, role, structure string }{
	{"coordinator", "Claire Dubois", "coordinator@demo.agir.local", "COORDINATOR", "HESTIA"},
	{"social_worker", "Karim Benali", "social_worker@demo.agir.local", "SOCIAL_WORKER", "ARSL"},
	{"insertion_counsellor", "Sophie Laurent", "insertion_counsellor@demo.agir.local", "INSERTION_COUNSELLOR", "ASFEL"},
	{"partner_editor", "Julien Moreau", "partner_editor@demo.agir.local", "PARTNER_EDITOR", "Mission locale de Lyon"},
	{"analyst", "Nadia Haddad", "analyst@demo.agir.local", "ANALYST", "HESTIA"},
	{"state_representative", "Philippe Garnier", "state_representative@demo.agir.local", "STATE_REPRESENTATIVE", "DDETS du Rhône"},
	{"admin", "Marc Lefèvre", "admin@demo.agir.local", "ADMIN", "HESTIA"},
	{"sw2", "Amina Diallo", "amina.diallo@arsl.demo.agir.local", "SOCIAL_WORKER", "ARSL"},
	{"sw3", "Thomas Girard", "thomas.girard@arsl.demo.agir.local", "SOCIAL_WORKER", "ARSL"},
	{"sw4", "Léa Fontaine", "lea.fontaine@arsl.demo.agir.local", "SOCIAL_WORKER", "ARSL"},
	{"ic2", "Yacine Mansour", "yacine.mansour@asfel.demo.agir.local", "INSERTION_COUNSELLOR", "ASFEL"},
	{"ic3", "Camille Roux", "camille.roux@asfel.demo.agir.local", "INSERTION_COUNSELLOR", "ASFEL"},
	{"ic4", "Hugo Perrin", "hugo.perrin@asfel.demo.agir.local", "INSERTION_COUNSELLOR", "ASFEL"},
	{"dr1", "Élodie Marchand", "elodie.marchand@arsl.demo.agir.local", "DISABILITY_REFERENT", "ARSL"},
	{"coord2", "Olivier Blanc", "olivier.blanc@hestia.demo.agir.local", "COORDINATOR", "HESTIA"},
	{"pe2", "Fatou Ndiaye", "fatou.ndiaye@greta.demo.agir.local", "PARTNER_EDITOR", "GRETA Lyon Métropole"},
	{"pe3", "Nicolas Chevalier", "nicolas.chevalier@envie.demo.agir.local", "PARTNER_EDITOR", "Entreprise d'insertion Envie Rhône"},
	{"sr2", "Isabelle Mercier", "isabelle.mercier@ddets38.demo.agir.local", "STATE_REPRESENTATIVE", "DDETS de l'Isère"},
	{"inactive", "Paul Ancien", "paul.ancien@arsl.demo.agir.local", "SOCIAL_WORKER", "ARSL"},
}

// structureKey names a demo structure by the start of its name (e.g. "ARSL").
func structureKey(prefix string) string { return "structure:" + prefix }

func (g *gen) loadStructures() error {
	for _, s := range append(append([]demoStructure{}, operators...), partners...) {
		key := structureKey(shortName(s.name))
		err := g.insert(key, `INSERT INTO structures (name, agir_role, departments) VALUES ($1, $2, $3) RETURNING id`,
			s.name, s.role, s.departments)
		if err != nil {
			return err
		}
	}
	for _, m := range demoStaff {
		sid, ok := g.ids[structureKey(m.structure)]
		if !ok {
			return fmt.Errorf("staff %s: unknown structure %s", m.key, m.structure)
		}
		err := g.insert("staff:"+m.key, `INSERT INTO staff_members (structure_id, name, email, staff_role, active)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, sid, m.name, m.email, m.role, m.key != "inactive")
		if err != nil {
			return err
		}
	}
	return nil
}

// shortName is the stable key of a demo structure: the part before " — ", or the name.
func shortName(name string) string {
	for i := 0; i+5 <= len(name); i++ {
		if name[i:i+5] == " — " {
			return name[:i]
		}
	}
	return name
}
