-- Partnership: structures in data·inclusion v1, the local offer map with the AGIR extension,
-- offer history, network animation (events, working groups, good practices, emerging needs).
-- The data·inclusion closed lists are immutable functions used by CHECK constraints
-- (and a table with their labels); TestClosedListsInDatabase compares them with the
-- shared data·inclusion v1.0.8 files.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

CREATE TABLE di_closed_values (
    list  text NOT NULL,
    value text NOT NULL,
    label text NOT NULL,
    PRIMARY KEY (list, value)
);

CREATE FUNCTION di_thematiques() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['choisir-un-metier--confirmer-son-choix-de-metier', 'choisir-un-metier--connaitre-les-opportunites-demploi', 'choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite', 'choisir-un-metier--identifier-ses-points-forts-et-ses-competences', 'creer-une-entreprise--definir-son-projet-de-creation-dentreprise', 'creer-une-entreprise--developper-son-entreprise', 'creer-une-entreprise--structurer-son-projet-de-creation-dentreprise', 'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte', 'difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination', 'difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire', 'difficultes-financieres--acquerir-une-autonomie-budgetaire', 'difficultes-financieres--ameliorer-sa-gestion-budgetaire', 'difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere', 'difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere', 'difficultes-financieres--situation-dendettement-surendettement', 'equipement-et-alimentation--aide-menagere', 'equipement-et-alimentation--alimentation', 'equipement-et-alimentation--electromenager', 'equipement-et-alimentation--habillement', 'famille--garde-denfants', 'famille--prise-en-charge-personne-dependante', 'famille--soutien-a-la-parentalite-et-a-leducation', 'famille--soutien-aidants', 'famille--surmonter-conflits-separation-violence', 'lecture-ecriture-calcul--maitriser-le-calcul', 'lecture-ecriture-calcul--maitriser-le-francais', 'logement-hebergement--acheter-un-logement', 'logement-hebergement--changer-de-logement', 'logement-hebergement--louer-un-logement', 'logement-hebergement--rechercher-une-solution-dhebergement-temporaire', 'logement-hebergement--reduire-les-impayes-de-loyer', 'logement-hebergement--se-maintenir-dans-le-logement', 'logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement', 'mobilite--acceder-a-un-vehicule', 'mobilite--entretenir-reparer-son-vehicule', 'mobilite--etre-accompagne-dans-son-parcours-mobilite', 'mobilite--financer-ma-mobilite', 'mobilite--mobilite-douce-partagee-collective', 'mobilite--preparer-un-permis', 'numerique--acceder-a-des-services-en-ligne', 'numerique--acceder-a-une-connexion-internet', 'numerique--acquerir-un-equipement', 'numerique--maitriser-les-fondamentaux-du-numerique', 'preparer-sa-candidature--developper-son-reseau', 'preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi', 'preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation', 'preparer-sa-candidature--valoriser-ses-competences', 'remobilisation--activites-sportives-et-culturelles', 'remobilisation--benevolat-action-citoyenne', 'remobilisation--bien-etre-confiance-en-soi', 'remobilisation--lien-social', 'sante--acces-aux-soins', 'sante--addictions', 'sante--constituer-un-dossier-mdph-invalidite', 'sante--sante-mentale', 'sante--sante-sexuelle', 'se-former--monter-son-dossier-de-formation', 'se-former--trouver-sa-formation', 'souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger', 'souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger', 'souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france', 'trouver-un-emploi--convaincre-un-recruteur-en-entretien', 'trouver-un-emploi--faire-des-candidatures-spontanees', 'trouver-un-emploi--maintien-dans-lemploi', 'trouver-un-emploi--repondre-a-des-offres-demploi', 'trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('thematiques', 'choisir-un-metier--confirmer-son-choix-de-metier', 'Confirmer son choix de métier'),
    ('thematiques', 'choisir-un-metier--connaitre-les-opportunites-demploi', 'Connaître les opportunités d’emploi'),
    ('thematiques', 'choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite', 'Découvrir un métier ou un secteur d’activité'),
    ('thematiques', 'choisir-un-metier--identifier-ses-points-forts-et-ses-competences', 'Identifier ses points forts et ses compétences'),
    ('thematiques', 'creer-une-entreprise--definir-son-projet-de-creation-dentreprise', 'Définir son projet de création d’entreprise'),
    ('thematiques', 'creer-une-entreprise--developper-son-entreprise', 'Développer son entreprise'),
    ('thematiques', 'creer-une-entreprise--structurer-son-projet-de-creation-dentreprise', 'Structurer son projet de création d’entreprise'),
    ('thematiques', 'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives', 'Accompagnement aux démarches administratives'),
    ('thematiques', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete', 'Accompagnement pour l’accès à la citoyenneté'),
    ('thematiques', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'Accompagnement pour l’accès aux droits'),
    ('thematiques', 'difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte', 'Bénéficier d’une mesure d’accompagnement adapté'),
    ('thematiques', 'difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination', 'Connaître ses droits face à une discrimination'),
    ('thematiques', 'difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire', 'Prendre en compte une problématique judiciaire'),
    ('thematiques', 'difficultes-financieres--acquerir-une-autonomie-budgetaire', 'Acquérir une autonomie budgétaire'),
    ('thematiques', 'difficultes-financieres--ameliorer-sa-gestion-budgetaire', 'Améliorer sa gestion budgétaire'),
    ('thematiques', 'difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere', 'Mettre en place une mesure de protection financière'),
    ('thematiques', 'difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere', 'Prévenir une dégradation de la situation financière'),
    ('thematiques', 'difficultes-financieres--situation-dendettement-surendettement', 'Situation d’endettement ou de surendettement'),
    ('thematiques', 'equipement-et-alimentation--aide-menagere', 'Aide ménagère'),
    ('thematiques', 'equipement-et-alimentation--alimentation', 'Alimentation'),
    ('thematiques', 'equipement-et-alimentation--electromenager', 'Électroménager'),
    ('thematiques', 'equipement-et-alimentation--habillement', 'Habillement'),
    ('thematiques', 'famille--garde-denfants', 'Garde d’enfants'),
    ('thematiques', 'famille--prise-en-charge-personne-dependante', 'Prise en charge d’une personne dépendante'),
    ('thematiques', 'famille--soutien-a-la-parentalite-et-a-leducation', 'Soutien à la parentalité et à l’éducation'),
    ('thematiques', 'famille--soutien-aidants', 'Soutien aux aidants'),
    ('thematiques', 'famille--surmonter-conflits-separation-violence', 'Surmonter les conflits liés à la séparation ou à la violence'),
    ('thematiques', 'lecture-ecriture-calcul--maitriser-le-calcul', 'Maîtriser le calcul'),
    ('thematiques', 'lecture-ecriture-calcul--maitriser-le-francais', 'Maîtriser le français'),
    ('thematiques', 'logement-hebergement--acheter-un-logement', 'Acheter un logement'),
    ('thematiques', 'logement-hebergement--changer-de-logement', 'Changer de logement'),
    ('thematiques', 'logement-hebergement--louer-un-logement', 'Louer un logement'),
    ('thematiques', 'logement-hebergement--rechercher-une-solution-dhebergement-temporaire', 'Rechercher une solution d’hébergement temporaire'),
    ('thematiques', 'logement-hebergement--reduire-les-impayes-de-loyer', 'Réduire les impayés de loyer'),
    ('thematiques', 'logement-hebergement--se-maintenir-dans-le-logement', 'Se maintenir dans le logement'),
    ('thematiques', 'logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement', 'S’informer sur les démarches liées à l’accès au logement'),
    ('thematiques', 'mobilite--acceder-a-un-vehicule', 'Accéder à un véhicule'),
    ('thematiques', 'mobilite--entretenir-reparer-son-vehicule', 'Entretenir et réparer son véhicule'),
    ('thematiques', 'mobilite--etre-accompagne-dans-son-parcours-mobilite', 'Être accompagné dans son parcours mobilité'),
    ('thematiques', 'mobilite--financer-ma-mobilite', 'Financer ma mobilité'),
    ('thematiques', 'mobilite--mobilite-douce-partagee-collective', 'Utiliser des services de mobilité douce, partagée ou collective'),
    ('thematiques', 'mobilite--preparer-un-permis', 'Préparer un permis'),
    ('thematiques', 'numerique--acceder-a-des-services-en-ligne', 'Accéder à des services en ligne'),
    ('thematiques', 'numerique--acceder-a-une-connexion-internet', 'Accéder à une connexion Internet'),
    ('thematiques', 'numerique--acquerir-un-equipement', 'Acquérir un équipement'),
    ('thematiques', 'numerique--maitriser-les-fondamentaux-du-numerique', 'Maîtriser les fondamentaux du numérique'),
    ('thematiques', 'preparer-sa-candidature--developper-son-reseau', 'Développer son réseau'),
    ('thematiques', 'preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi', 'Organiser ses démarches de recherche d’emploi'),
    ('thematiques', 'preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation', 'Réaliser un CV et/ou une lettre de motivation'),
    ('thematiques', 'preparer-sa-candidature--valoriser-ses-competences', 'Valoriser ses compétences'),
    ('thematiques', 'remobilisation--activites-sportives-et-culturelles', 'Activités sportives et culturelles'),
    ('thematiques', 'remobilisation--benevolat-action-citoyenne', 'Bénévolat et action citoyenne'),
    ('thematiques', 'remobilisation--bien-etre-confiance-en-soi', 'Bien-être et confiance en soi'),
    ('thematiques', 'remobilisation--lien-social', 'Lien social'),
    ('thematiques', 'sante--acces-aux-soins', 'Accès aux soins'),
    ('thematiques', 'sante--addictions', 'Addictions'),
    ('thematiques', 'sante--constituer-un-dossier-mdph-invalidite', 'Constituer un dossier MDPH pour invalidité'),
    ('thematiques', 'sante--sante-mentale', 'Santé mentale'),
    ('thematiques', 'sante--sante-sexuelle', 'Santé sexuelle'),
    ('thematiques', 'se-former--monter-son-dossier-de-formation', 'Monter son dossier de formation'),
    ('thematiques', 'se-former--trouver-sa-formation', 'Trouver sa formation'),
    ('thematiques', 'souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger', 'Connaître les opportunités d’emploi à l’étranger'),
    ('thematiques', 'souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger', 'S’informer sur les aides pour travailler à l’étranger'),
    ('thematiques', 'souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france', 'S’organiser suite à son retour en France'),
    ('thematiques', 'trouver-un-emploi--convaincre-un-recruteur-en-entretien', 'Convaincre un recruteur en entretien'),
    ('thematiques', 'trouver-un-emploi--faire-des-candidatures-spontanees', 'Faire des candidatures spontanées'),
    ('thematiques', 'trouver-un-emploi--maintien-dans-lemploi', 'Maintien dans l’emploi'),
    ('thematiques', 'trouver-un-emploi--repondre-a-des-offres-demploi', 'Répondre à des offres d’emploi'),
    ('thematiques', 'trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs', 'Suivre ses candidatures et relancer les employeurs');

CREATE FUNCTION di_publics() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['actifs', 'beneficiaires-des-minimas-sociaux', 'demandeurs-emploi', 'etudiants', 'familles', 'femmes', 'jeunes', 'personnes-en-situation-de-handicap', 'personnes-en-situation-durgence', 'personnes-en-situation-juridique-specifique', 'personnes-exilees', 'residents-qpv-frr', 'seniors', 'tous-publics']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('publics', 'actifs', 'Actifs'),
    ('publics', 'beneficiaires-des-minimas-sociaux', 'Bénéficiaires des minimas sociaux'),
    ('publics', 'demandeurs-emploi', 'Demandeurs d’emploi'),
    ('publics', 'etudiants', 'Étudiants'),
    ('publics', 'familles', 'Familles'),
    ('publics', 'femmes', 'Femmes'),
    ('publics', 'jeunes', 'Jeunes'),
    ('publics', 'personnes-en-situation-de-handicap', 'Personnes en situation de handicap'),
    ('publics', 'personnes-en-situation-durgence', 'Personnes en situation d’urgence'),
    ('publics', 'personnes-en-situation-juridique-specifique', 'Personnes en situation juridique spécifique'),
    ('publics', 'personnes-exilees', 'Personnes exilées'),
    ('publics', 'residents-qpv-frr', 'Résidents en QPV ou FRR'),
    ('publics', 'seniors', 'Séniors'),
    ('publics', 'tous-publics', 'Tous publics');

CREATE FUNCTION di_types() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['accompagnement', 'aide-financiere', 'aide-materielle', 'atelier', 'formation', 'information']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('types', 'accompagnement', 'Accompagnement'),
    ('types', 'aide-financiere', 'Aide financière'),
    ('types', 'aide-materielle', 'Aide materielle'),
    ('types', 'atelier', 'Atelier'),
    ('types', 'formation', 'Formation'),
    ('types', 'information', 'Information');

CREATE FUNCTION di_frais() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['gratuit', 'payant']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('frais', 'gratuit', 'Gratuit'),
    ('frais', 'payant', 'Payant');

CREATE FUNCTION di_modes_accueil() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['a-distance', 'en-presentiel']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('modes_accueil', 'a-distance', 'À distance'),
    ('modes_accueil', 'en-presentiel', 'En présentiel');

CREATE FUNCTION di_modes_mobilisation() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['envoyer-un-courriel', 'se-presenter', 'telephoner', 'utiliser-lien-mobilisation']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('modes_mobilisation', 'envoyer-un-courriel', 'Envoyer un courriel'),
    ('modes_mobilisation', 'se-presenter', 'Se présenter'),
    ('modes_mobilisation', 'telephoner', 'Téléphoner'),
    ('modes_mobilisation', 'utiliser-lien-mobilisation', 'Utiliser le lien de mobilisation');

CREATE FUNCTION di_mobilisable_par() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['professionnels', 'usagers']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('mobilisable_par', 'professionnels', 'Professionnels'),
    ('mobilisable_par', 'usagers', 'Usagers');

CREATE FUNCTION di_reseaux_porteurs() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['60000-rebonds', 'aci', 'action-logement', 'adie', 'afpa', 'agefiph', 'ai', 'aidants-connect', 'alliance-villes-emploi', 'anlci', 'apprentis-dauteuil', 'ase', 'banques-alimentaires', 'caarud', 'cada', 'caf', 'campus-connecte', 'cap-emploi-reseau-cheops', 'cava', 'ccas-cias', 'chambres-consulaires', 'chantier-ecole', 'chrs', 'chu', 'cidff', 'cmp', 'cms', 'cnam', 'collectif-emploi', 'communes', 'conseillers-numeriques', 'coorace', 'cpam', 'cph', 'creches-avip', 'crepi', 'cresus', 'croix-rouge', 'csapa', 'delegataire-conseil-departemental', 'departements', 'duo-for-a-job', 'ea', 'eatt', 'ecoles-de-la-deuxieme-chance', 'egee', 'ei', 'eiti', 'emmaus', 'epide', 'esat', 'espaces-publics-numeriques', 'etcld', 'etti', 'fabrique-de-territoire', 'face', 'fcsf', 'federation-des-acteurs-de-la-solidarite', 'federation-professionnelle-femmes', 'france-active', 'france-service', 'france-travail', 'french-tech', 'geiq', 'grandes-ecoles-du-numerique', 'huda', 'hup', 'inae', 'initiative-france', 'konexio', 'la-cravate-solidaire', 'la-poste', 'les-premieres', 'maison-departementale-de-lautonomie', 'maisons-de-l-emploi', 'maisons-des-solidarites', 'mdph', 'mission-locale', 'mjc', 'mobin', 'msap', 'mutualite-sociale-agricole', 'nqt', 'pimms-mediation', 'pjj', 'plie', 'points-conseil-budget', 'points-justice', 'positive-planet', 'regions', 'reseau-app', 'reseau-bge', 'reseau-entreprendre', 'reseau-information-jeunesse', 'residences-fjt', 'ressourceries', 'restos-du-coeur', 'secours-populaire', 'siao', 'simplon', 'singa', 'snc', 'spip', 'tous-tes-possibles', 'unaf', 'unea', 'unis-cite', 'wimoov']::text[];

INSERT INTO di_closed_values (list, value, label) VALUES
    ('reseaux_porteurs', '60000-rebonds', '60 000 Rebonds'),
    ('reseaux_porteurs', 'aci', 'Structures d’Insertion par l’Activité Économique - Ateliers et Chantiers d’Insertion'),
    ('reseaux_porteurs', 'action-logement', 'Action Logement'),
    ('reseaux_porteurs', 'adie', 'Association pour le Droit à l’Initiative Économique'),
    ('reseaux_porteurs', 'afpa', 'Agence Nationale pour la Formation Professionnelle des Adultes'),
    ('reseaux_porteurs', 'agefiph', 'Agefiph'),
    ('reseaux_porteurs', 'ai', 'Associations Intermédiaires'),
    ('reseaux_porteurs', 'aidants-connect', 'Aidants Connect'),
    ('reseaux_porteurs', 'alliance-villes-emploi', 'Alliance Villes Emploi'),
    ('reseaux_porteurs', 'anlci', 'Agence Nationale de Lutte Contre l’Illettrisme'),
    ('reseaux_porteurs', 'apprentis-dauteuil', 'Apprentis d’Auteuil'),
    ('reseaux_porteurs', 'ase', 'Aide Sociale à l’Enfance'),
    ('reseaux_porteurs', 'banques-alimentaires', 'Banques Alimentaires'),
    ('reseaux_porteurs', 'caarud', 'Centres d’Accueil et d’Accompagnement à la Réduction de Risques pour Usagers de Drogues'),
    ('reseaux_porteurs', 'cada', 'Centres d’Accueil de Demandeurs d’Asile'),
    ('reseaux_porteurs', 'caf', 'Caisse d’Allocations Familiales'),
    ('reseaux_porteurs', 'campus-connecte', 'Campus Connecté'),
    ('reseaux_porteurs', 'cap-emploi-reseau-cheops', 'CAP Emploi - Réseau CHEOPS'),
    ('reseaux_porteurs', 'cava', 'Centres d’Adaptation à la Vie Active'),
    ('reseaux_porteurs', 'ccas-cias', 'Les Centres Communaux d’Action Sociale et les Centres Intercommunaux d’Action Sociale'),
    ('reseaux_porteurs', 'chambres-consulaires', 'Chambres Consulaires'),
    ('reseaux_porteurs', 'chantier-ecole', 'Réseau Chantier École'),
    ('reseaux_porteurs', 'chrs', 'Centres d’Hébergement et de Réinsertion Sociale'),
    ('reseaux_porteurs', 'chu', 'Centres d’Hébergement d’Urgence'),
    ('reseaux_porteurs', 'cidff', 'Centres d’Information sur les Droits des Femmes et des Familles'),
    ('reseaux_porteurs', 'cmp', 'Centres Médico-Psychologiques'),
    ('reseaux_porteurs', 'cms', 'Centres Médico-Sociaux'),
    ('reseaux_porteurs', 'cnam', 'Conservatoire National des Arts et Métiers'),
    ('reseaux_porteurs', 'collectif-emploi', 'Collectif Emploi'),
    ('reseaux_porteurs', 'communes', 'Communes, mairies, communautés de communes, etc.'),
    ('reseaux_porteurs', 'conseillers-numeriques', 'Conseillers Numériques'),
    ('reseaux_porteurs', 'coorace', 'Fédération COORACE'),
    ('reseaux_porteurs', 'cpam', 'Caisses Primaires d’Assurance Maladie'),
    ('reseaux_porteurs', 'cph', 'Centres Provisoires d’Hébergement'),
    ('reseaux_porteurs', 'creches-avip', 'Crèches à Vocation d’Insertion Professionnelle'),
    ('reseaux_porteurs', 'crepi', 'CREPI'),
    ('reseaux_porteurs', 'cresus', 'Fédération Française des Associations CRÉSUS'),
    ('reseaux_porteurs', 'croix-rouge', 'Croix-Rouge'),
    ('reseaux_porteurs', 'csapa', 'Centres de Soins, d’Accompagnement et de Prévention en Addictologie'),
    ('reseaux_porteurs', 'delegataire-conseil-departemental', 'Organisation délégataire d’un Conseil Départemental'),
    ('reseaux_porteurs', 'departements', 'Départements et Services Départementaux'),
    ('reseaux_porteurs', 'duo-for-a-job', 'DUO for a JOB'),
    ('reseaux_porteurs', 'ea', 'Entreprises Adaptées'),
    ('reseaux_porteurs', 'eatt', 'Entreprises Adaptées de Travail Temporaire'),
    ('reseaux_porteurs', 'ecoles-de-la-deuxieme-chance', 'Écoles de la 2ᵉ Chance'),
    ('reseaux_porteurs', 'egee', 'Association EGEE'),
    ('reseaux_porteurs', 'ei', 'Structures d’Insertion par l’Activité Économique - Entreprises d’Insertion'),
    ('reseaux_porteurs', 'eiti', 'Structures d’Insertion par l’Activité Économique - Entreprises d’Insertion par le Travail Indépendant'),
    ('reseaux_porteurs', 'emmaus', 'Emmaüs'),
    ('reseaux_porteurs', 'epide', 'EPIDE'),
    ('reseaux_porteurs', 'esat', 'Établissement et Service d’Accompagnement par le Travail'),
    ('reseaux_porteurs', 'espaces-publics-numeriques', 'Espaces Publics Numériques'),
    ('reseaux_porteurs', 'etcld', 'Expérimentation Territoriale contre le Chômage de Longue Durée'),
    ('reseaux_porteurs', 'etti', 'Structures d’Insertion par l’Activité Économique - Entreprises de Travail Temporaire d’Insertion'),
    ('reseaux_porteurs', 'fabrique-de-territoire', 'Fabrique de Territoire'),
    ('reseaux_porteurs', 'face', 'Fondation FACE'),
    ('reseaux_porteurs', 'fcsf', 'Fédération des Centres Sociaux et Socioculturels de France'),
    ('reseaux_porteurs', 'federation-des-acteurs-de-la-solidarite', 'Fédération des Acteurs de la Solidarité'),
    ('reseaux_porteurs', 'federation-professionnelle-femmes', 'Fédération Professionnelle pour les Femmes'),
    ('reseaux_porteurs', 'france-active', 'France Active'),
    ('reseaux_porteurs', 'france-service', 'France Service'),
    ('reseaux_porteurs', 'france-travail', 'France Travail'),
    ('reseaux_porteurs', 'french-tech', 'French Tech'),
    ('reseaux_porteurs', 'geiq', 'GEIQ'),
    ('reseaux_porteurs', 'grandes-ecoles-du-numerique', 'Grandes Écoles du Numérique'),
    ('reseaux_porteurs', 'huda', 'Hébergement d’Urgence pour Demandeurs d’Asile'),
    ('reseaux_porteurs', 'hup', 'Association H’UP'),
    ('reseaux_porteurs', 'inae', 'INAÉ Nouvelle Aquitaine'),
    ('reseaux_porteurs', 'initiative-france', 'Initiative France'),
    ('reseaux_porteurs', 'konexio', 'Association Konexio'),
    ('reseaux_porteurs', 'la-cravate-solidaire', 'La Cravate Solidaire'),
    ('reseaux_porteurs', 'la-poste', 'La Poste'),
    ('reseaux_porteurs', 'les-premieres', 'Les Premières'),
    ('reseaux_porteurs', 'maison-departementale-de-lautonomie', 'Maisons Départementales de l’Autonomie'),
    ('reseaux_porteurs', 'maisons-de-l-emploi', 'Maisons de l’Emploi'),
    ('reseaux_porteurs', 'maisons-des-solidarites', 'Maisons Départementales des Solidarités (MDS)'),
    ('reseaux_porteurs', 'mdph', 'Maisons Départementales pour les Personnes Handicapées (MDPH)'),
    ('reseaux_porteurs', 'mission-locale', 'Mission Locale'),
    ('reseaux_porteurs', 'mjc', 'Maisons des Jeunes et de la Culture'),
    ('reseaux_porteurs', 'mobin', 'Mob’In'),
    ('reseaux_porteurs', 'msap', 'Maisons de Services Au Public'),
    ('reseaux_porteurs', 'mutualite-sociale-agricole', 'Mutualité Sociale Agricole'),
    ('reseaux_porteurs', 'nqt', 'Association NQT'),
    ('reseaux_porteurs', 'pimms-mediation', 'Point Information Médiation Multi Services'),
    ('reseaux_porteurs', 'pjj', 'Protection Judiciaire de la Jeunesse'),
    ('reseaux_porteurs', 'plie', 'Plans Locaux pour l’Insertion et l’Emploi'),
    ('reseaux_porteurs', 'points-conseil-budget', 'Points Conseil Budget'),
    ('reseaux_porteurs', 'points-justice', 'Points Justice'),
    ('reseaux_porteurs', 'positive-planet', 'Positive Planet'),
    ('reseaux_porteurs', 'regions', 'Régions, Préfectures et services régionaux'),
    ('reseaux_porteurs', 'reseau-app', 'Réseau APP'),
    ('reseaux_porteurs', 'reseau-bge', 'Réseau BGE'),
    ('reseaux_porteurs', 'reseau-entreprendre', 'Réseau Entreprendre'),
    ('reseaux_porteurs', 'reseau-information-jeunesse', 'Réseau Information Jeunesse'),
    ('reseaux_porteurs', 'residences-fjt', 'Résidences - Foyers Jeunes Travailleurs'),
    ('reseaux_porteurs', 'ressourceries', 'Ressourceries'),
    ('reseaux_porteurs', 'restos-du-coeur', 'Restos du Coeur'),
    ('reseaux_porteurs', 'secours-populaire', 'Secours Populaire'),
    ('reseaux_porteurs', 'siao', 'Services Intégrés d’Accueil et d’Orientation'),
    ('reseaux_porteurs', 'simplon', 'Simplon'),
    ('reseaux_porteurs', 'singa', 'Association SINGA'),
    ('reseaux_porteurs', 'snc', 'Solidarité Nouvelle Face au Chômage'),
    ('reseaux_porteurs', 'spip', 'Services Pénitentiaires d’Insertion et de Probation'),
    ('reseaux_porteurs', 'tous-tes-possibles', 'Tous Tes Possibles'),
    ('reseaux_porteurs', 'unaf', 'Union Nationale de l’Aide aux Familles'),
    ('reseaux_porteurs', 'unea', 'Union Nationale des Entreprises Adaptées'),
    ('reseaux_porteurs', 'unis-cite', 'UnisCité'),
    ('reseaux_porteurs', 'wimoov', 'Wimoov');

-- siret_valid: 14 digits with a valid Luhn key, or La Poste's establishments (SIREN
-- 356000000) whose digits sum to a multiple of 5 (same rule as model.ValidSIRET).
CREATE FUNCTION siret_valid(s text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN s ~ '^\d{14}$' AND (
    (SELECT sum(CASE WHEN i % 2 = 1 THEN (d * 2) / 10 + (d * 2) % 10 ELSE d END) % 10 = 0
       FROM (SELECT i, substr(s, i, 1)::int AS d FROM generate_series(1, 14) AS i) AS digits)
    OR (left(s, 9) = '356000000'
        AND (SELECT sum(substr(s, i, 1)::int) % 5 = 0 FROM generate_series(1, 14) AS i)));

CREATE FUNCTION in_france(lat double precision, lon double precision) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (lat BETWEEN 41.3 AND 51.15 AND lon BETWEEN -5.25 AND 9.65)
    OR (lat BETWEEN 15.8 AND 16.55 AND lon BETWEEN -61.85 AND -60.95)
    OR (lat BETWEEN 14.35 AND 14.9 AND lon BETWEEN -61.25 AND -60.8)
    OR (lat BETWEEN 2.1 AND 5.8 AND lon BETWEEN -54.65 AND -51.6)
    OR (lat BETWEEN -21.4 AND -20.85 AND lon BETWEEN 55.2 AND 55.85)
    OR (lat BETWEEN -13.05 AND -12.6 AND lon BETWEEN 44.95 AND 45.35)
    OR (lat BETWEEN 46.7 AND 47.15 AND lon BETWEEN -56.45 AND -56.1)
    OR (lat BETWEEN 17.85 AND 18.15 AND lon BETWEEN -63.2 AND -62.75)
    OR (lat BETWEEN -28.0 AND -7.8 AND lon BETWEEN -155.0 AND -134.0)
    OR (lat BETWEEN -23.0 AND -19.5 AND lon BETWEEN 163.5 AND 168.2)
    OR (lat BETWEEN -14.4 AND -13.15 AND lon BETWEEN -178.25 AND -176.1);

ALTER TABLE structures
    ADD COLUMN source             text NOT NULL DEFAULT 'agir' CHECK (source ~ '^[a-z0-9-]{1,50}$'),
    ADD COLUMN di_id              text,
    ADD COLUMN sectors            text[] NOT NULL DEFAULT '{}'
        CONSTRAINT structures_sectors_check CHECK (sectors <@ ARRAY['HOUSING', 'EMPLOYMENT', 'TRAINING', 'HEALTH', 'SOCIAL_ACTION', 'FRENCH', 'RIGHTS', 'MOBILITY']::text[]),
    ADD COLUMN siret              text CONSTRAINT structures_siret_check CHECK (siret_valid(siret)),
    ADD COLUMN description        text,
    ADD COLUMN adresse            text,
    ADD COLUMN complement_adresse text,
    ADD COLUMN commune            text,
    ADD COLUMN code_postal        text CHECK (code_postal ~ '^\d{5}$'),
    ADD COLUMN code_insee         text CHECK (code_insee ~ '^\w{5}$'),
    ADD COLUMN latitude           double precision,
    ADD COLUMN longitude          double precision,
    ADD COLUMN telephone          text,
    ADD COLUMN courriel           text,
    ADD COLUMN site_web           text,
    ADD COLUMN lien_source        text,
    ADD COLUMN horaires_accueil   text,
    ADD COLUMN accessibilite_lieu text,
    ADD COLUMN reseaux_porteurs   text[] NOT NULL DEFAULT '{}'
        CONSTRAINT structures_reseaux_porteurs_check CHECK (reseaux_porteurs <@ di_reseaux_porteurs()),
    ADD COLUMN date_maj           date NOT NULL DEFAULT CURRENT_DATE,
    ADD CONSTRAINT structures_coordinates_check CHECK ((latitude IS NULL) = (longitude IS NULL)
        AND (latitude IS NULL OR in_france(latitude, longitude)));
-- di_id defaults to "source--id" (for records created in AGIR: "agir--<uuid>").
-- +goose StatementBegin
CREATE FUNCTION set_default_di_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.di_id := coalesce(NEW.di_id, NEW.source || '--' || NEW.id);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER structures_di_id BEFORE INSERT OR UPDATE ON structures FOR EACH ROW EXECUTE FUNCTION set_default_di_id();
UPDATE structures SET di_id = source || '--' || id WHERE di_id IS NULL;
ALTER TABLE structures ALTER COLUMN di_id SET NOT NULL;
CREATE UNIQUE INDEX structures_di_id_key ON structures (source, di_id);
CREATE INDEX structures_name_idx ON structures (name, id);

CREATE TABLE offers (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    structure_id                uuid NOT NULL REFERENCES structures (id),
    source                      text NOT NULL DEFAULT 'agir' CHECK (source ~ '^[a-z0-9-]{1,50}$'),
    di_id                       text,
    nom                         text NOT NULL CONSTRAINT offers_nom_check CHECK (char_length(nom) BETWEEN 3 AND 150),
    description                 text NOT NULL CONSTRAINT offers_description_check CHECK (char_length(description) BETWEEN 5 AND 10000),
    type                        text CONSTRAINT offers_type_check CHECK (type = ANY (di_types())),
    thematiques                 text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_thematiques_check CHECK (thematiques <@ di_thematiques()),
    publics                     text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_publics_check CHECK (publics <@ di_publics()
                                    AND (NOT 'tous-publics' = ANY (publics) OR cardinality(publics) = 1)),
    publics_precisions          text,
    conditions_acces            text,
    frais                       text CONSTRAINT offers_frais_check CHECK (frais = ANY (di_frais())),
    frais_precisions            text,
    modes_accueil               text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_modes_accueil_check CHECK (modes_accueil <@ di_modes_accueil()),
    modes_mobilisation          text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_modes_mobilisation_check CHECK (modes_mobilisation <@ di_modes_mobilisation()),
    mobilisable_par             text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_mobilisable_par_check CHECK (mobilisable_par <@ di_mobilisable_par()),
    mobilisation_precisions     text,
    lien_mobilisation           text,
    lien_source                 text,
    telephone                   text,
    courriel                    text,
    contact_nom_prenom          text,
    adresse                     text,
    complement_adresse          text,
    commune                     text,
    code_postal                 text CHECK (code_postal ~ '^\d{5}$'),
    code_insee                  text CHECK (code_insee ~ '^\w{5}$'),
    department                  text,
    latitude                    double precision,
    longitude                   double precision,
    horaires_accueil            text,
    zone_eligibilite            text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_zone_eligibilite_check
                                    CHECK (array_to_string(zone_eligibilite, ',') ~ '^((\w{5}|\w{2,3}|\d{9}|france)(,|$))*$'),
    nombre_semaines             integer CHECK (nombre_semaines >= 1),
    volume_horaire_hebdomadaire double precision CHECK (volume_horaire_hebdomadaire >= 0),
    -- AGIR extension for refugees
    langues                     text[] NOT NULL DEFAULT '{}' CHECK (array_to_string(langues, ',') ~ '^(([a-z]{2,3})(,|$))*$'),
    statuts_protection          text[] NOT NULL DEFAULT '{}' CONSTRAINT offers_statuts_protection_check
                                    CHECK (statuts_protection <@ ARRAY['REFUGEE', 'SUBSIDIARY_PROTECTION', 'STATELESS', 'JOINING_FAMILY_MEMBER']::text[]),
    niveau_francais_requis      text CHECK (niveau_francais_requis IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    niveau_francais_rang        smallint GENERATED ALWAYS AS (CASE niveau_francais_requis WHEN 'A1' THEN 1 WHEN 'A2' THEN 2
                                    WHEN 'B1' THEN 3 WHEN 'B2' THEN 4 WHEN 'C1' THEN 5 WHEN 'C2' THEN 6 ELSE 0 END) STORED,
    pieces_requises             text[] NOT NULL DEFAULT '{}',
    capacite                    integer CHECK (capacite BETWEEN 1 AND 10000),
    sessions                    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sessions) = 'array'),
    -- publication and freshness
    status                      text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
    update_frequency_months     integer NOT NULL DEFAULT 6 CONSTRAINT offers_update_frequency_check CHECK (update_frequency_months BETWEEN 1 AND 36),
    verified_at                 timestamptz,
    verified_by                 uuid REFERENCES staff_members (id),
    quality_score               numeric(3, 2) NOT NULL DEFAULT 0 CHECK (quality_score BETWEEN 0 AND 1),
    date_maj                    date NOT NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    version                     integer NOT NULL DEFAULT 1,
    search                      tsvector GENERATED ALWAYS AS (
                                    setweight(to_tsvector('french'::regconfig, immutable_unaccent(nom)), 'A') ||
                                    setweight(to_tsvector('french'::regconfig, immutable_unaccent(description)), 'B') ||
                                    setweight(to_tsvector('french'::regconfig, immutable_unaccent(coalesce(commune, ''))), 'C')) STORED,
    CONSTRAINT offers_coordinates_check CHECK ((latitude IS NULL) = (longitude IS NULL)
        AND (latitude IS NULL OR in_france(latitude, longitude)))
);
ALTER TABLE offers ALTER COLUMN di_id SET NOT NULL;
CREATE TRIGGER offers_di_id BEFORE INSERT OR UPDATE ON offers FOR EACH ROW EXECUTE FUNCTION set_default_di_id();
CREATE UNIQUE INDEX offers_di_id_key ON offers (source, di_id);
CREATE INDEX offers_structure_idx ON offers (structure_id, nom, id);
CREATE INDEX offers_name_idx ON offers (nom, id);
CREATE INDEX offers_location_idx ON offers USING gist (ll_to_earth(latitude, longitude)) WHERE latitude IS NOT NULL;
CREATE INDEX offers_search_idx ON offers USING gin (search);
CREATE INDEX offers_thematiques_idx ON offers USING gin (thematiques);
CREATE INDEX offers_zone_idx ON offers USING gin (zone_eligibilite);
CREATE INDEX offers_department_idx ON offers (department);

-- offer_changes: history of every change of an offer, written in the act's transaction.
CREATE TABLE offer_changes (
    id          bigserial PRIMARY KEY,
    offer_id    uuid NOT NULL REFERENCES offers (id),
    at          timestamptz NOT NULL,
    action      text NOT NULL,
    actor       text NOT NULL,
    actor_role  text NOT NULL,
    changes     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX offer_changes_offer_idx ON offer_changes (offer_id, id);

CREATE TABLE working_groups (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 3 AND 200),
    theme       text NOT NULL CHECK (theme IN ('HOUSING', 'EMPLOYMENT', 'TRAINING', 'HEALTH', 'SOCIAL_ACTION', 'FRENCH', 'RIGHTS', 'MOBILITY')),
    description text,
    departments text[] NOT NULL CHECK (cardinality(departments) > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE working_group_members (
    working_group_id uuid NOT NULL REFERENCES working_groups (id),
    structure_id     uuid NOT NULL REFERENCES structures (id),
    staff_member_id  uuid REFERENCES staff_members (id)
);
CREATE UNIQUE INDEX working_group_members_key ON working_group_members
    (working_group_id, structure_id, coalesce(staff_member_id, '00000000-0000-0000-0000-000000000000'));

CREATE TABLE network_events (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind             text NOT NULL CHECK (kind IN ('MEETING', 'WORKING_GROUP', 'EXCHANGE_SESSION')),
    title            text NOT NULL CHECK (length(btrim(title)) BETWEEN 3 AND 200),
    theme            text NOT NULL CHECK (theme IN ('HOUSING', 'EMPLOYMENT', 'TRAINING', 'HEALTH', 'SOCIAL_ACTION', 'FRENCH', 'RIGHTS', 'MOBILITY')),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz,
    location         text,
    departments      text[] NOT NULL CHECK (cardinality(departments) > 0),
    agenda           text,
    minutes          text,
    working_group_id uuid REFERENCES working_groups (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CONSTRAINT network_events_ends_check CHECK (ends_at IS NULL OR ends_at > starts_at),
    CONSTRAINT network_events_group_check CHECK ((kind = 'WORKING_GROUP') = (working_group_id IS NOT NULL))
);
CREATE INDEX network_events_starts_idx ON network_events (starts_at, id);
CREATE INDEX network_events_departments_idx ON network_events USING gin (departments);

CREATE TABLE network_event_participants (
    event_id        uuid NOT NULL REFERENCES network_events (id),
    structure_id    uuid NOT NULL REFERENCES structures (id),
    staff_member_id uuid REFERENCES staff_members (id),
    invited         boolean NOT NULL,
    attended        boolean
);
CREATE UNIQUE INDEX network_event_participants_key ON network_event_participants
    (event_id, structure_id, coalesce(staff_member_id, '00000000-0000-0000-0000-000000000000'));

CREATE TABLE good_practices (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title       text NOT NULL CHECK (length(btrim(title)) BETWEEN 3 AND 200),
    description text NOT NULL CHECK (length(btrim(description)) BETWEEN 5 AND 10000),
    event_id    uuid REFERENCES network_events (id),
    tags        text[] NOT NULL DEFAULT '{}',
    departments text[] NOT NULL CHECK (cardinality(departments) > 0),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX good_practices_recorded_idx ON good_practices (recorded_at, id);
CREATE INDEX good_practices_event_idx ON good_practices (event_id);
CREATE INDEX good_practices_tags_idx ON good_practices USING gin (tags);

CREATE TABLE emerging_needs (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    description             text NOT NULL CHECK (length(btrim(description)) BETWEEN 5 AND 5000),
    theme                   text NOT NULL CHECK (theme IN ('HOUSING', 'EMPLOYMENT', 'TRAINING', 'HEALTH', 'SOCIAL_ACTION', 'FRENCH', 'RIGHTS', 'MOBILITY')),
    department              text NOT NULL,
    reported_by_structure   uuid REFERENCES structures (id),
    reported_at             timestamptz NOT NULL,
    beneficiaries_concerned integer NOT NULL CONSTRAINT emerging_needs_count_check CHECK (beneficiaries_concerned >= 0),
    status                  text NOT NULL DEFAULT 'IDENTIFIED' CHECK (status IN ('IDENTIFIED', 'IN_PROGRESS', 'ADDRESSED', 'DROPPED')),
    version                 integer NOT NULL DEFAULT 1
);
CREATE INDEX emerging_needs_reported_idx ON emerging_needs (reported_at, id);
CREATE INDEX emerging_needs_department_idx ON emerging_needs (department);

CREATE TABLE emerging_need_offers (
    need_id  uuid NOT NULL REFERENCES emerging_needs (id),
    offer_id uuid NOT NULL REFERENCES offers (id),
    PRIMARY KEY (need_id, offer_id)
);
CREATE INDEX emerging_need_offers_offer_idx ON emerging_need_offers (offer_id);

-- +goose Down
DROP TABLE emerging_need_offers;
DROP TABLE emerging_needs;
DROP TABLE good_practices;
DROP TABLE network_event_participants;
DROP TABLE network_events;
DROP TABLE working_group_members;
DROP TABLE working_groups;
DROP TABLE offer_changes;
DROP TABLE offers;
DROP TRIGGER structures_di_id ON structures;
DROP INDEX structures_di_id_key;
DROP INDEX structures_name_idx;
ALTER TABLE structures DROP CONSTRAINT structures_coordinates_check,
    DROP COLUMN source, DROP COLUMN di_id, DROP COLUMN sectors, DROP COLUMN siret, DROP COLUMN description,
    DROP COLUMN adresse, DROP COLUMN complement_adresse, DROP COLUMN commune, DROP COLUMN code_postal,
    DROP COLUMN code_insee, DROP COLUMN latitude, DROP COLUMN longitude, DROP COLUMN telephone, DROP COLUMN courriel,
    DROP COLUMN site_web, DROP COLUMN lien_source, DROP COLUMN horaires_accueil, DROP COLUMN accessibilite_lieu,
    DROP COLUMN reseaux_porteurs, DROP COLUMN date_maj;
DROP FUNCTION set_default_di_id();
DROP FUNCTION in_france(double precision, double precision);
DROP FUNCTION siret_valid(text);
DROP FUNCTION di_thematiques(), di_publics(), di_types(), di_frais(), di_modes_accueil(), di_modes_mobilisation(),
    di_mobilisable_par(), di_reseaux_porteurs();
DROP TABLE di_closed_values;
