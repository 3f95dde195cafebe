package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// demoStructureID returns the global id of the demo structure named name.
func demoStructureID(t *testing.T, env interface {
	MustDo(*model.Principal, string, map[string]any, any)
}, p *model.Principal, name string) string {
	t.Helper()
	var d struct {
		Structures struct{ Nodes []struct{ ID, Name string } }
	}
	env.MustDo(p, `{ structures(first: 100) { nodes { id name } } }`, nil, &d)
	for _, n := range d.Structures.Nodes {
		if n.Name == name {
			return n.ID
		}
	}
	t.Fatalf("no structure %q", name)
	return ""
}

func TestNetworkAnimation(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	partner := demoPrincipal(t, env, model.RolePartnerEditor)
	analyst := demoPrincipal(t, env, model.RoleAnalyst)
	arsl := demoStructureID(t, env, coordinator, "ARSL — Association Relais Solidarité Logement")
	ml := demoStructureID(t, env, coordinator, "Mission locale de Lyon")
	var me struct {
		Me struct {
			Structure struct {
				Staff struct{ Nodes []struct{ ID, Name string } }
			}
		}
	}
	env.MustDo(partner, `{ me { structure { staff(first: 10) { nodes { id name } } } } }`, nil, &me)
	julien := me.Me.Structure.Staff.Nodes[0].ID

	var group struct {
		CreateWorkingGroup struct {
			userErrorsPayload
			WorkingGroup struct {
				ID               string
				MemberStructures []struct{ Name string }
				MemberStaff      []struct{ Name string }
			}
		}
	}
	env.MustDo(coordinator, `mutation($a: ID!, $m: ID!, $j: ID!) { createWorkingGroup(input: {name: "Groupe santé mentale", theme: HEALTH,
		departments: ["69"], members: [{structureId: $a}, {structureId: $m, staffMemberId: $j}]}) {
		workingGroup { id memberStructures { name } memberStaff { name } } userErrors { code field } } }`,
		map[string]any{"a": arsl, "m": ml, "j": julien}, &group)
	g := group.CreateWorkingGroup.WorkingGroup
	if group.CreateWorkingGroup.code() != "" || len(g.MemberStructures) != 2 || len(g.MemberStaff) != 1 || g.MemberStaff[0].Name != "Julien Moreau" {
		t.Fatalf("group %+v", group)
	}

	schedule := `mutation($in: ScheduleNetworkEventInput!) { scheduleNetworkEvent(input: $in) {
		networkEvent { id version kind workingGroup { id } participants { structure { name } staffMember { name } invited attended } }
		userErrors { code field } } }`
	var ev struct {
		ScheduleNetworkEvent struct {
			userErrorsPayload
			NetworkEvent struct {
				ID           string
				Version      int
				WorkingGroup struct{ ID string }
				Participants []struct {
					Structure   struct{ Name string }
					StaffMember *struct{ Name string }
					Invited     bool
					Attended    *bool
				}
			}
		}
	}
	in := map[string]any{"kind": "WORKING_GROUP", "title": "Santé mentale : première séance", "theme": "HEALTH",
		"startsAt": "2026-12-10T09:30:00+01:00", "endsAt": "2026-12-10T12:00:00+01:00", "departments": []string{"69"},
		"agenda": "Tour de table", "workingGroupId": g.ID,
		"invited": []map[string]any{{"structureId": arsl}, {"structureId": ml, "staffMemberId": julien}}}
	t.Run("Schedule", func(t *testing.T) {
		env.MustDo(coordinator, schedule, map[string]any{"in": in}, &ev)
		e := ev.ScheduleNetworkEvent.NetworkEvent
		if ev.ScheduleNetworkEvent.code() != "" || e.WorkingGroup.ID != g.ID || len(e.Participants) != 2 || e.Participants[0].Attended != nil {
			t.Fatalf("event %+v", ev)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		code   string
	}{
		{"ErrOutsideTerritory", func(m map[string]any) { m["departments"] = []string{"13"} }, "FORBIDDEN"},
		{"ErrEndBeforeStart", func(m map[string]any) { m["endsAt"] = "2026-12-10T08:00:00+01:00" }, "INVALID_INPUT"},
		{"ErrGroupSessionWithoutGroup", func(m map[string]any) { delete(m, "workingGroupId") }, "INVALID_INPUT"},
		{"ErrStaffOfAnotherStructure", func(m map[string]any) {
			m["invited"] = []map[string]any{{"structureId": arsl, "staffMemberId": julien}}
		}, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]any{}
			for k, v := range in {
				m[k] = v
			}
			tc.change(m)
			var d struct{ ScheduleNetworkEvent userErrorsPayload }
			env.MustDo(coordinator, schedule, map[string]any{"in": m}, &d)
			if d.ScheduleNetworkEvent.code() != tc.code {
				t.Fatalf("got %+v", d)
			}
		})
	}
	t.Run("ErrPartnerCannotSchedule", func(t *testing.T) {
		r := env.Do(partner, schedule, map[string]any{"in": in})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("got %+v", r.Errors)
		}
	})
	e := ev.ScheduleNetworkEvent.NetworkEvent
	t.Run("MinutesAndAttendance", func(t *testing.T) {
		var d struct {
			RecordNetworkEventMinutes struct {
				userErrorsPayload
				NetworkEvent struct {
					Minutes      string
					Version      int
					Participants []struct {
						Structure struct{ Name string }
						Invited   bool
						Attended  *bool
					}
				}
			}
		}
		env.MustDo(coordinator, `mutation($id: ID!, $a: ID!) { recordNetworkEventMinutes(input: {id: $id, version: 1, minutes: "Besoins identifiés.",
			attended: [{structureId: $a}]}) { networkEvent { minutes version participants { structure { name } invited attended } } userErrors { code } } }`,
			map[string]any{"id": e.ID, "a": arsl}, &d)
		ps := d.RecordNetworkEventMinutes.NetworkEvent.Participants
		if d.RecordNetworkEventMinutes.code() != "" || d.RecordNetworkEventMinutes.NetworkEvent.Version != 2 || len(ps) != 2 ||
			!*ps[0].Attended || *ps[1].Attended {
			t.Fatalf("minutes %+v", d)
		}
		var again struct{ RecordNetworkEventMinutes userErrorsPayload }
		env.MustDo(coordinator, `mutation($id: ID!) { recordNetworkEventMinutes(input: {id: $id, version: 1, minutes: "x", attended: []}) { userErrors { code } } }`,
			map[string]any{"id": e.ID}, &again)
		if again.RecordNetworkEventMinutes.code() != "VERSION_CONFLICT" {
			t.Fatalf("stale version: %+v", again)
		}
	})
	t.Run("GoodPracticeFromEvent", func(t *testing.T) {
		var d struct {
			RecordGoodPractice struct {
				userErrorsPayload
				GoodPractice struct {
					Tags  []string
					Event struct{ ID string }
				}
			}
		}
		env.MustDo(coordinator, `mutation($e: ID!) { recordGoodPractice(input: {title: "Orientation directe vers le CMP", description: "Une fiche de liaison partagée.",
			eventId: $e, tags: ["santé mentale"], departments: ["69"]}) { goodPractice { tags event { id } } userErrors { code } } }`,
			map[string]any{"e": e.ID}, &d)
		if d.RecordGoodPractice.code() != "" || d.RecordGoodPractice.GoodPractice.Event.ID != e.ID {
			t.Fatalf("practice %+v", d)
		}
		var read struct {
			Node struct {
				GoodPractices []struct{ Title string }
			}
			GoodPractices struct{ TotalCount int }
		}
		env.MustDo(analyst, `query($e: ID!) { node(id: $e) { ... on NetworkEvent { goodPractices { title } } }
			goodPractices(first: 1, filter: {tag: "santé mentale"}) { totalCount } }`, map[string]any{"e": e.ID}, &read)
		if len(read.Node.GoodPractices) != 1 || read.GoodPractices.TotalCount != 1 {
			t.Fatalf("analyst reads %+v", read)
		}
	})
	t.Run("EmergingNeed", func(t *testing.T) {
		var rep struct {
			ReportEmergingNeed struct {
				userErrorsPayload
				EmergingNeed struct {
					ID, Status string
					Version    int
					ReportedBy struct{ Name string }
				}
			}
		}
		env.MustDo(partner, `mutation { reportEmergingNeed(input: {description: "Pas de consultation psychologique en dari.", theme: HEALTH,
			department: "69", beneficiariesConcerned: 7}) { emergingNeed { id status version reportedBy { name } } userErrors { code } } }`, nil, &rep)
		n := rep.ReportEmergingNeed.EmergingNeed
		if rep.ReportEmergingNeed.code() != "" || n.Status != "IDENTIFIED" || n.ReportedBy.Name != "Mission locale de Lyon" {
			t.Fatalf("report %+v", rep)
		}
		var offers struct {
			Offers struct{ Nodes []struct{ ID string } }
		}
		env.MustDo(coordinator, `{ offers(first: 2, filter: {themes: ["sante--acces-aux-soins"]}) { nodes { id } } }`, nil, &offers)
		ids := []string{offers.Offers.Nodes[0].ID, offers.Offers.Nodes[1].ID}
		var upd struct {
			UpdateEmergingNeed struct {
				userErrorsPayload
				EmergingNeed struct {
					Status          string
					AnsweringOffers []struct{ ID string }
				}
			}
		}
		env.MustDo(coordinator, `mutation($id: ID!, $o: [ID!]) { updateEmergingNeed(input: {id: $id, version: 1, status: ADDRESSED, answeringOfferIds: $o}) {
			emergingNeed { status answeringOffers { id } } userErrors { code } } }`, map[string]any{"id": n.ID, "o": ids}, &upd)
		if upd.UpdateEmergingNeed.code() != "" || upd.UpdateEmergingNeed.EmergingNeed.Status != "ADDRESSED" ||
			len(upd.UpdateEmergingNeed.EmergingNeed.AnsweringOffers) != 2 {
			t.Fatalf("update %+v", upd)
		}
		var bad struct{ ReportEmergingNeed userErrorsPayload }
		env.MustDo(partner, `mutation { reportEmergingNeed(input: {description: "Besoin hors territoire.", theme: HEALTH,
			department: "38", beneficiariesConcerned: 1}) { userErrors { code } } }`, nil, &bad)
		if bad.ReportEmergingNeed.code() != "FORBIDDEN" {
			t.Fatalf("outside territory: %+v", bad)
		}
		r := env.Do(demoPrincipal(t, env, model.RoleAdmin), `{ emergingNeeds(first: 1) { totalCount } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("admin reads needs: %+v", r.Errors)
		}
	})
	t.Run("EventsList", func(t *testing.T) {
		var d struct {
			NetworkEvents struct {
				TotalCount int
				Nodes      []struct{ Title, StartsAt string }
			}
		}
		env.MustDo(analyst, `{ networkEvents(first: 3, filter: {department: "69"}) { totalCount nodes { title startsAt } } }`, nil, &d)
		if d.NetworkEvents.TotalCount != 7 || len(d.NetworkEvents.Nodes) != 3 || d.NetworkEvents.Nodes[0].StartsAt < d.NetworkEvents.Nodes[1].StartsAt {
			t.Fatalf("events %+v", d)
		}
	})
}

func TestStructureAdministration(t *testing.T) {
	env := demoEnv(t)
	admin := demoPrincipal(t, env, model.RoleAdmin)
	var c struct {
		CreateStructure struct {
			userErrorsPayload
			Structure struct {
				ID, DataInclusionID, Source, UpdatedOn string
				Version                                int
				Sectors, Networks                      []string
			}
		}
	}
	env.MustDo(admin, `mutation { createStructure(input: {fields: {name: "Centre social Le Tournesol", agirRole: LOCAL_PARTNER,
		departments: ["69"], sectors: [SOCIAL_ACTION, FRENCH], siret: "13003013300016", postalCode: "69100", city: "Villeurbanne",
		latitude: 45.77, longitude: 4.88, openingHours: "Mo-Fr 09:00-17:00; PH off", networks: ["fcsf"]}}) {
		structure { id dataInclusionId source updatedOn version sectors networks } userErrors { code field } } }`, nil, &c)
	s := c.CreateStructure.Structure
	if c.CreateStructure.code() != "" || s.Source != "agir" || s.DataInclusionID == "" || s.Version != 1 || len(s.Sectors) != 2 {
		t.Fatalf("created %+v", c)
	}
	var a struct {
		AddStaffMember struct {
			userErrorsPayload
			StaffMember struct {
				StaffRole string
				Structure struct{ ID string }
			}
		}
	}
	env.MustDo(admin, `mutation($s: ID!) { addStaffMember(input: {structureId: $s, name: "Inès Carpentier", email: "ines.carpentier@tournesol.demo.agir.local",
		staffRole: PARTNER_EDITOR}) { staffMember { staffRole structure { id } } userErrors { code } } }`, map[string]any{"s": s.ID}, &a)
	if a.AddStaffMember.code() != "" || a.AddStaffMember.StaffMember.Structure.ID != s.ID {
		t.Fatalf("staff %+v", a)
	}
	var dup struct{ AddStaffMember userErrorsPayload }
	env.MustDo(admin, `mutation($s: ID!) { addStaffMember(input: {structureId: $s, name: "Doublon", email: "INES.carpentier@tournesol.demo.agir.local",
		staffRole: PARTNER_EDITOR}) { userErrors { code } } }`, map[string]any{"s": s.ID}, &dup)
	if dup.AddStaffMember.code() != "ALREADY_EXISTS" {
		t.Fatalf("duplicate e-mail: %+v", dup)
	}
	update := `mutation($id: ID!, $v: Int!) { updateStructure(input: {id: $id, version: $v, fields: {name: "Centre social Tournesol",
		agirRole: LOCAL_PARTNER, departments: ["69"]}}) { structure { name version } userErrors { code } } }`
	var u struct {
		UpdateStructure struct {
			userErrorsPayload
			Structure struct {
				Name    string
				Version int
			}
		}
	}
	env.MustDo(admin, update, map[string]any{"id": s.ID, "v": 1}, &u)
	if u.UpdateStructure.code() != "" || u.UpdateStructure.Structure.Version != 2 {
		t.Fatalf("update %+v", u)
	}
	env.MustDo(admin, update, map[string]any{"id": s.ID, "v": 1}, &u)
	if u.UpdateStructure.code() != "VERSION_CONFLICT" {
		t.Fatalf("stale update %+v", u)
	}
	r := env.Do(demoPrincipal(t, env, model.RoleCoordinator), update, map[string]any{"id": s.ID, "v": 2})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("coordinator updates a structure: %+v", r.Errors)
	}
}

// TestStructureNestedLists checks that structures' offers and staff come as connections,
// batched across the structures of a page.
func TestStructureNestedLists(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	var d struct {
		Structures struct {
			Nodes []struct {
				Name   string
				Offers struct {
					TotalCount int
					Nodes      []struct{ Name string }
					PageInfo   struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
				Staff struct {
					TotalCount int
					Nodes      []struct{ Name string }
				}
			}
		}
	}
	env.MustDo(p, `{ structures(first: 50) { nodes { name offers(first: 3) { totalCount nodes { name } pageInfo { hasNextPage endCursor } }
		staff(first: 2, activeOnly: true) { totalCount nodes { name } } } } }`, nil, &d)
	for _, s := range d.Structures.Nodes {
		if s.Name == "Mission locale de Lyon" {
			if s.Offers.TotalCount < 5 || len(s.Offers.Nodes) != 3 || !s.Offers.PageInfo.HasNextPage || s.Staff.TotalCount != 1 {
				t.Fatalf("%+v", s)
			}
			var next struct {
				Node struct {
					Offers struct{ Nodes []struct{ Name string } }
				}
			}
			id := demoStructureID(t, env, p, s.Name)
			env.MustDo(p, `query($id: ID!, $a: String) { node(id: $id) { ... on Structure { offers(first: 100, after: $a) { nodes { name } } } } }`,
				map[string]any{"id": id, "a": *s.Offers.PageInfo.EndCursor}, &next)
			if len(next.Node.Offers.Nodes) != s.Offers.TotalCount-3 || next.Node.Offers.Nodes[0].Name < s.Offers.Nodes[2].Name {
				t.Fatalf("second page %+v after %+v", next, s.Offers)
			}
		}
		if s.Name == "ARSL — Association Relais Solidarité Logement" && (s.Staff.TotalCount != 5 || len(s.Staff.Nodes) != 2) {
			t.Fatalf("ARSL active staff %+v", s.Staff) // 6 members, one inactive
		}
	}
}

func TestStructuresBySector(t *testing.T) {
	env := demoEnv(t)
	var d struct {
		Structures struct {
			Nodes []struct {
				Name    string
				Sectors []string
			}
		}
	}
	env.MustDo(demoPrincipal(t, env, model.RoleAnalyst), `{ structures(first: 100, filter: {sector: EMPLOYMENT}) { nodes { name sectors } } }`, nil, &d)
	if len(d.Structures.Nodes) != 1 || d.Structures.Nodes[0].Name != "ASFEL — Association pour l'insertion et l'emploi" {
		t.Fatalf("got %+v", d.Structures.Nodes)
	}
}

// TestPartnershipNodes fetches every partnership type by global id, within the caller's scope.
func TestPartnershipNodes(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	isere := principal(t, env, "isabelle.mercier@ddets38.demo.agir.local") // state representative, Isère only
	var d struct {
		Offers        struct{ Nodes []struct{ ID string } }
		NetworkEvents struct {
			Nodes []struct {
				ID           string
				WorkingGroup *struct{ ID string }
			}
		}
		GoodPractices struct{ Nodes []struct{ ID string } }
		EmergingNeeds struct {
			Nodes []struct{ ID, Department string }
		}
	}
	env.MustDo(coordinator, `{ offers(first: 1) { nodes { id } } networkEvents(first: 10) { nodes { id workingGroup { id } } }
		goodPractices(first: 1) { nodes { id } } emergingNeeds(first: 10) { nodes { id department } } }`, nil, &d)
	ids := []string{d.Offers.Nodes[0].ID, d.NetworkEvents.Nodes[0].ID, d.GoodPractices.Nodes[0].ID}
	for _, e := range d.NetworkEvents.Nodes {
		if e.WorkingGroup != nil {
			ids = append(ids, e.WorkingGroup.ID)
			break
		}
	}
	var rhoneNeed string
	for _, n := range d.EmergingNeeds.Nodes {
		if n.Department == "69" {
			rhoneNeed = n.ID
		}
	}
	ids = append(ids, rhoneNeed)
	var got struct {
		Nodes []*struct{ ID string }
	}
	env.MustDo(coordinator, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, &got)
	for i, n := range got.Nodes {
		if n == nil || n.ID != ids[i] {
			t.Fatalf("node %d (%s) = %+v", i, ids[i], n)
		}
	}
	env.MustDo(isere, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{rhoneNeed}}, &got)
	if got.Nodes[0] != nil {
		t.Fatal("a need of the Rhône is visible from the Isère")
	}
}
