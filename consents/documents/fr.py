"""Every text of the client documents in French.

Same keys as consents/documents/en.py (tests/consents/
test_document_languages.py checks it). Written with a plain space before
; : ? ! and inside « »: _typography() turns them into the non-breaking
spaces French typography requires.
"""

import re

LANGUAGE_NAME = "Français"

_HOUSE_STAFF = (
    "Le personnel de la maison et ses prestataires informatiques (sous-traitants)"
)

PURPOSES = {
    "contact_us": {
        "name": "Réponses au formulaire « Nous contacter »",
        "description": (
            "Répondre aux questions que les clients adressent par le site internet."
        ),
        "retention": "3 ans après le dernier échange",
    },
    "my_account": {
        "name": "Espace « Mon compte » sur le site internet",
        "description": (
            "Créer et gérer l’espace personnel du client sur le site internet."
        ),
        "retention": "Jusqu’à la clôture du compte, puis 3 ans",
    },
    "selection": {
        "name": "« Sélection » de produits sur le site internet",
        "description": "Conserver les produits que le client ajoute à sa Sélection.",
        "retention": "Jusqu’à la clôture du compte",
    },
    "newsletters_invitations": {
        "name": "Lettres d’information, invitations et actualités",
        "description": (
            "Adresser des informations sur les offres, les produits, les "
            "actualités et les événements (lettres d’information, invitations, "
            "autres publications)."
        ),
        "retention": "3 ans après le dernier contact à l’initiative du client",
    },
    "boutique_orders": {
        "name": "Commandes en boutique, facturation, paiement et garanties",
        "description": (
            "Gérer les commandes passées en boutique, la facturation et le "
            "paiement, ainsi que les garanties des créations de la maison."
        ),
        "retention": (
            "Durée de la garantie ; factures : 10 ans (obligation comptable) ; "
            "références de carte : 13 mois après le dernier paiement effectué "
            "avec la carte"
        ),
    },
    "customer_relations": {
        "name": "Relation client, réclamations et service après-vente",
        "description": (
            "Gérer, optimiser et personnaliser la relation client, les "
            "réclamations et le service après-vente."
        ),
        "retention": "3 ans après le dernier contact à l’initiative du client",
    },
    "navigation_preferences": {
        "name": "Préférences de navigation sur les sites internet",
        "description": (
            "Enregistrer les identifiants de connexion et les préférences "
            "d’utilisation des sites internet."
        ),
        "retention": "13 mois (cookies)",
    },
    "events": {
        "name": "Participation aux événements de la maison",
        "description": "Organiser la participation du client aux événements.",
        "retention": "3 ans après le dernier événement auquel le client a participé",
    },
    "partner_sharing": {
        "name": "Communication aux grands magasins partenaires",
        "description": (
            "Communiquer les données à des partenaires commerciaux locaux, "
            "notamment les grands magasins accueillant un corner de la maison, "
            "pour leurs propres programmes de gestion de la relation client."
        ),
        "retention": "Jusqu’au retrait du consentement",
    },
    "statistics_segmentation": {
        "name": "Statistiques, segmentation et analyses marketing",
        "description": (
            "Établir des statistiques, des segmentations et des analyses "
            "marketing à la suite des visites en boutique ou sur les sites "
            "internet."
        ),
        "retention": "3 ans après le dernier contact à l’initiative du client",
    },
    "retargeting": {
        "name": "Reciblage et publicité ciblée",
        "description": (
            "Gérer les dispositifs de reciblage et proposer des publicités ciblées."
        ),
        "retention": "13 mois (cookies)",
    },
    "nearest_boutique": {
        "name": "Boutique la plus proche",
        "description": (
            "Rattacher le client aux boutiques les plus proches de lui et lui "
            "suggérer de s’y rendre, à partir d’une localisation approximative "
            "(la localisation elle-même n’est pas conservée)."
        ),
        "retention": "Jusqu’au retrait du consentement",
    },
    "cross_group_intelligence": {
        "name": "Connaissance client au sein du groupe",
        "description": (
            "Communiquer à la société mère du groupe, sous forme pseudonymisée "
            "(sans nom ni coordonnées), les achats des 3 dernières années, afin "
            "de recevoir en retour des informations générales sur les habitudes "
            "d’achat et les préférences."
        ),
        "retention": (
            "Achats des 3 dernières années ; jusqu’au retrait du consentement"
        ),
    },
    "fraud_counterfeiting": {
        "name": "Lutte contre la fraude et la contrefaçon",
        "description": "Détecter et prévenir la fraude et la contrefaçon.",
        "retention": "5 ans après l’incident",
    },
    "allergy_aware_service": {
        "name": "Prise en compte des allergies",
        "description": (
            "Enregistrer les allergies aux métaux afin qu’un conseiller ne "
            "propose jamais une pièce à laquelle le client réagit (donnée de "
            "santé, article 9, paragraphe 2, point a), du RGPD)."
        ),
        "retention": (
            "Jusqu’au retrait du consentement (effacement, historique compris)"
        ),
    },
}
RECIPIENTS = {
    "The house's own staff and IT providers (processors)": _HOUSE_STAFF,
    "Payment service provider": "Le prestataire de services de paiement",
    "Event organisers (processors)": "Les organisateurs d’événements (sous-traitants)",
    "The department-store partner (separate controller)": (
        "Le grand magasin partenaire (responsable de traitement distinct)"
    ),
    "Advertising partners": "Les partenaires publicitaires",
    "The parent group, as processor (pseudonymised purchases)": (
        "La société mère du groupe, en qualité de sous-traitant (achats pseudonymisés)"
    ),
    "Authorities on request": "Les autorités, sur réquisition",
}
FIELD_LABELS = {
    "title": "Civilité",
    "first_name": "Prénom",
    "last_name": "Nom",
    "birth_date": "Date de naissance",
    "nationality": "Nationalité",
    "email": "Adresse e-mail",
    "phone": "Téléphone portable",
    "address_line1": "Adresse postale",
    "postal_code": "Code postal",
    "city": "Ville",
    "country": "Pays",
    "preferred_language": "Langue de préférence",
}
FORM_TITLES = {
    "boutique-paper": "Formulaire client en boutique",
    "website-account": "Formulaire de création de compte sur le site internet",
    "clienteling-tool": "Formulaire de l’outil de relation client",
}
LABELS = {
    "Consent": "Consentement",
    "Contract": "Exécution d’un contrat",
    "Legitimate interest": "Intérêt légitime",
    "Legal obligation": "Obligation légale",
    "Granted": "Accord",
    "Withdrawn": "Retrait",
    "Objected": "Opposition",
    "Paper form": "Formulaire papier",
    "Website": "Site internet",
    "Clienteling tool": "Outil de relation client",
    "Phone": "Téléphone",
    "Email": "E-mail",
    "In person": "En personne",
    "Unsubscribe link": "Lien de désabonnement",
    "Preference page": "Page de préférences",
    "Boutique": "Boutique",
    "Import": "Import",
    "Customer service": "Service client",
    "Boutique visit": "Visite en boutique",
    "Post": "Courrier",
    "Social network": "Réseau social",
    "Instant messaging": "Messagerie instantanée",
    "Web form": "Formulaire en ligne",
    "From the client": "De vous",
    "To the client": "De nous",
}
CATEGORIES = {
    "identity": "Identité",
    "contact": "Coordonnées",
    "payment": "Paiement",
    "technical": "Données techniques",
    "preferences": "Préférences",
    "health": "Santé (allergies aux métaux)",
    "ceremony": "Cérémonie de vente (tours de doigt, dates)",
    "contact history": "Historique des contacts",
    "web activity": "Activité sur nos sites internet",
    "purchases": "Achats",
    "staff notes": "Notes de nos conseillers",
}
SOURCES = {
    "the client (form, website, in person)": (
        "vous-même (formulaire, site internet, en personne)"
    ),
    "staff entry": "nos conseillers",
    "collected by the website": "collectées par notre site internet",
    "computed by Écrin": "calculées par nos systèmes",
    "import": "un import",
    "the parent group (generalised insights)": (
        "la société mère du groupe (informations générales)"
    ),
}

TEXTS = {
    "yes": "Oui",
    "no": "Non",
    "none": "—",
    "form_title_version": "{title} · version {number}",
    "form_language": "Langue de ce formulaire : français",
    "form_services_heading": "Services que vous demandez",
    "form_details_heading": "Vos informations",
    "form_legend": (
        "Les champs signalés par un astérisque (*) sont obligatoires pour les "
        "services dont le numéro figure en regard."
    ),
    "form_mandatory_sentence": (
        "Si vous ne renseignez pas ces champs obligatoires, {house} ne sera pas "
        "en mesure de répondre à vos demandes et/ou de vous fournir les "
        "services demandés."
    ),
    "form_optional": (
        "Les autres informations sont facultatives ; elles nous permettent de "
        "mieux vous connaître et d’améliorer nos communications et nos services."
    ),
    "form_consents_heading": "Vos consentements",
    "form_consents_lead": (
        "Cochez chaque case à laquelle vous consentez. Vous pouvez retirer "
        "chacun de vos consentements à tout moment, en boutique ou en écrivant "
        "à notre service client."
    ),
    "form_notice_pointer": (
        "L’utilisation de vos données par {house} et vos droits sont décrits "
        "dans la notice d’information qui vous est remise avec ce formulaire."
    ),
    "form_date": "Date : ____ / ____ / ________",
    "form_signature": "Signature :",
    "tablet_legend": (
        "Les champs marqués d’un astérisque (*) sont obligatoires pour les "
        "services indiqués à côté."
    ),
    "tablet_sign_here": "Signez dans le cadre ci-dessous, du doigt ou avec un stylet.",
    "tablet_clear": "Effacer la signature",
    "tablet_compulsory_for": "obligatoire pour\u00a0: {services}",
    "notice_title": "L’utilisation de vos données personnelles par {house}",
    "notice_intro": (
        "La présente notice vous informe des données personnelles que {house} "
        "collecte à votre sujet dans ses boutiques, sur ses sites internet et "
        "par son service client ; des finalités, des bases légales et des "
        "durées de conservation de ces traitements ; de leurs destinataires ; "
        "et des modalités d’exercice de vos droits."
    ),
    "notice_data_heading": "Les données collectées",
    "notice_data_lead": (
        "Selon les services que vous demandez, et en fonction de vos choix et "
        "du paramétrage de votre terminal en matière de cookies, nous "
        "collectons principalement :"
    ),
    "notice_data_identity": (
        "Identité : nationalité, situation familiale, nom et prénom, date de naissance."
    ),
    "notice_data_contact": (
        "Coordonnées : adresses électronique et postale, numéros de téléphone "
        "mobile et fixe, identifiants de réseaux sociaux, ainsi que vos "
        "coordonnées bancaires lorsque vous achetez en boutique ou à distance."
    ),
    "notice_data_technical": (
        "Données techniques : données de connexion, cookies et autres "
        "traceurs, adresse IP et localisation approximative (pour vous "
        "suggérer la boutique la plus proche ou afficher un site dans votre "
        "langue)."
    ),
    "notice_data_service": (
        "Les informations que vous confiez à nos conseillers et à notre "
        "service client afin que nous vous servions au mieux : vos préférences "
        "parmi nos collections et vos moyens de contact préférés ; les "
        "éventuels effets indésirables de nos créations (par exemple une "
        "allergie à certains métaux, enregistrée uniquement avec votre "
        "consentement exprès) ; la cérémonie de vente (tour de doigt, date de "
        "mariage) ; l’historique de nos contacts ; votre activité sur nos "
        "sites internet."
    ),
    "notice_messaging": (
        "Si vous choisissez d’échanger avec notre personnel par une messagerie "
        "instantanée, {house} ne peut garantir la confidentialité ni la "
        "sécurité des informations ainsi échangées : les sociétés qui "
        "fournissent ces services les traitent en qualité de responsables de "
        "traitement, selon leurs propres politiques, hors du contrôle de "
        "{house}."
    ),
    "notice_purposes_heading": ("Finalités, bases légales et durées de conservation"),
    "notice_purposes_lead": (
        "Vos données sont traitées sur l’une des trois bases suivantes : votre "
        "consentement ; l’exécution d’un contrat (vos commandes) ; ou "
        "l’intérêt légitime de {house} (par exemple la lutte contre la fraude "
        "et la contrefaçon), auquel vous pouvez vous opposer sauf mention "
        "contraire."
    ),
    "notice_col_purpose": "Finalité",
    "notice_col_basis": "Base légale",
    "notice_col_retention": "Durée de conservation",
    "notice_col_recipients": "Destinataires",
    "notice_compulsory_heading": "Informations obligatoires et facultatives",
    "notice_compulsory": (
        "Les informations nécessaires à {house} pour chaque service sont "
        "signalées par un astérisque : sur les pages de nos sites internet ; "
        "sur les formulaires que le personnel de nos boutiques vous remet afin "
        "que vous les complétiez et les signiez (les formulaires complétés "
        "sont conservés par {house}) ; et sur les formulaires de l’outil de "
        "relation client utilisé sur tablette dans nos boutiques."
    ),
    "notice_group_heading": (
        "Connaissance client au sein du groupe (uniquement avec votre consentement)"
    ),
    "notice_group": (
        "{house} appartient à un groupe de maisons dont vous êtes peut-être "
        "également client. Si vous y consentez, nous communiquons à notre "
        "société mère, sous forme pseudonymisée, les achats que vous avez "
        "effectués auprès de nous au cours des 3 dernières années : ni votre "
        "nom ni vos coordonnées ne lui sont transmis. Vos achats sont "
        "rapprochés de ceux effectués auprès des autres maisons du groupe "
        "auxquelles vous avez donné un consentement similaire, et chacune "
        "d’elles reçoit en retour des informations générales sur vos "
        "habitudes d’achat et vos préférences, afin que nos offres et nos "
        "messages correspondent à vos centres d’intérêt."
    ),
    "notice_group_controller": (
        "{house} demeure seul responsable du traitement. La société mère agit "
        "en qualité de sous-traitant : elle n’utilise pas vos données pour "
        "ses propres finalités, ne vous contacte pas et ne communique aucune "
        "information aux maisons dont vous n’êtes pas client ou qui n’ont pas "
        "recueilli votre consentement."
    ),
    "notice_rights_heading": "Vos droits",
    "notice_rights": (
        "Vous pouvez à tout moment accéder à vos données ; en obtenir la "
        "rectification ou l’effacement ; demander la limitation du "
        "traitement ; vous opposer aux traitements fondés sur notre intérêt "
        "légitime et, sans avoir à vous justifier, à la prospection "
        "commerciale ; recevoir les données que vous nous avez fournies dans "
        "un format structuré et portable ; et retirer chacun de vos "
        "consentements, sans que cela remette en cause les traitements "
        "effectués avant ce retrait."
    ),
    "notice_rights_how": (
        "Adressez votre demande dans l’une de nos boutiques ou par écrit à "
        "notre service client : nous vous répondons dans un délai d’un mois. "
        "Vous pouvez également introduire une réclamation auprès de la "
        "Commission nationale de l’informatique et des libertés (CNIL, "
        "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) "
        "ou de l’autorité de protection des données du pays où vous résidez."
    ),
    "notice_printed_on": "Notice imprimée le {date}.",
    "report_title": "Vos données personnelles détenues par {house}",
    "report_intro": (
        "Numéro de client {number}. Rapport établi le {date}, en réponse à "
        "votre demande fondée sur l’article 15 du règlement général sur la "
        "protection des données (RGPD)."
    ),
    "report_times": (
        "Les dates et heures sont indiquées dans le fuseau horaire {time_zone}."
    ),
    "report_erased": (
        "Votre dossier a été effacé. Les éléments qui subsistent ci-dessous "
        "ne sont conservés qu’au titre des obligations légales énumérées dans "
        "la rubrique « Ce qui est conservé après effacement »."
    ),
    "report_origin_heading": "L’origine de vos données",
    "report_origin": "Votre dossier a été créé à partir de : {source}, le {date}.",
    "report_origin_form": "{form}, version {version}, signé le {date}",
    "report_purposes": "Finalités",
    "report_legal_bases": "Bases légales",
    "report_recipients": "Destinataires",
    "report_retention": "Durée de conservation",
    "report_sources": "Sources",
    "report_listed_below": (
        "{count} enregistrement(s), repris intégralement dans la rubrique "
        "« Historique des contacts »."
    ),
    "report_consents_heading": "Historique de vos consentements",
    "report_col_when": "Date",
    "report_col_purpose": "Finalité",
    "report_col_decision": "Décision",
    "report_col_channel": "Canal",
    "report_col_wording": "Texte présenté",
    "report_wordings_note": "Les textes présentés, numérotés comme dans le tableau :",
    "report_no_decision": "Aucune décision enregistrée.",
    "report_contacts_heading": "Historique des contacts",
    "report_col_direction": "Sens",
    "report_col_subject": "Objet",
    "report_col_summary": "Résumé",
    "report_col_staff": "Conseiller",
    "report_no_contact": "Aucun contact enregistré.",
    "report_profiling_heading": "Profilage et segmentation",
    "report_col_processing": "Traitement",
    "report_col_basis": "Base légale",
    "report_col_applies": "Vous concerne",
    "report_col_how": "Fonctionnement",
    "report_profiling_logic": (
        "Segments et statistiques établis à partir des achats, des préférences "
        "et des visites sur les sites internet ; aucune décision produisant "
        "des effets juridiques ou vous affectant de manière significative "
        "n’est prise de façon automatisée."
    ),
    "report_kept_heading": "Ce qui est conservé après effacement, et pourquoi",
    "report_col_record": "Enregistrement",
    "report_col_field": "Champ",
    "report_col_obligation": "Obligation",
    "report_not_included_heading": "Éléments non inclus",
    "report_not_included_access_log": (
        "Le journal des accès (quel membre du personnel a consulté votre "
        "dossier, et quand) est conservé pour la sécurité du traitement et "
        "ne fait pas partie du présent rapport."
    ),
    "report_rights": (
        "Vous pouvez demander la rectification ou l’effacement de vos données, "
        "la limitation du traitement ou vous y opposer, et introduire une "
        "réclamation auprès de la CNIL ou de l’autorité de protection des "
        "données du pays où vous résidez."
    ),
    "report_machine_readable": (
        "Les fichiers report.json et csv/*.csv contiennent les mêmes données "
        "sous une forme lisible par machine : leurs clés sont des "
        "identifiants anglais stables."
    ),
    # Messages d’information (consents.campaigns) et pages du client.
    "campaign_subject_newsletters_invitations": "Les nouvelles de {house}",
    "campaign_subject_events": "Une invitation de {house}",
    "campaign_greeting": "Bonjour {name},",
    "campaign_body_newsletters_invitations": (
        "Nos nouvelles créations sont arrivées en boutique. Votre conseiller "
        "sera ravi de vous les présenter, sur rendez-vous ou lors de votre "
        "prochain passage."
    ),
    "campaign_body_events": (
        "Nous serions ravis de vous accueillir lors de notre prochaine "
        "présentation privée dans votre boutique. Votre conseiller vous en "
        "communiquera les détails."
    ),
    "campaign_closing": "Avec nos plus chaleureuses salutations,",
    "campaign_why": ("Vous recevez ce message car vous avez accepté « {purpose} »."),
    "campaign_soft_opt_in": (
        "Vous recevez ce message en tant que client de {house}. Vous pouvez à "
        "tout moment, sans frais, ne plus recevoir ces messages grâce au lien "
        "ci-dessous."
    ),
    "campaign_unsubscribe": "Se désabonner de « {purpose} » en un clic",
    "campaign_preferences": "Gérer vos choix",
    "campaign_sent_to": "Ce message a été envoyé à {email}.",
    "public_unsubscribe_title": "Désabonnement",
    "public_unsubscribe_question": (
        "Souhaitez-vous ne plus recevoir « {purpose} » de {house} ?"
    ),
    "public_unsubscribe_button": "Me désabonner",
    "public_unsubscribe_done": (
        "Vous ne recevrez plus « {purpose} » de {house}. C’est effectif immédiatement."
    ),
    "public_preferences_link": "Gérer tous vos choix",
    "public_invalid_title": "Ce lien ne peut pas être utilisé",
    "public_invalid": (
        "Ce lien n’est pas valide ou a expiré, et rien n’a été modifié. Pour "
        "modifier vos choix, utilisez le lien d’un message récent de {house} "
        "ou contactez votre boutique."
    ),
    "public_preferences_title": "Vos choix",
    "public_preferences_lead": (
        "Cochez ce que vous acceptez de recevoir de la part de {house}. Vous "
        "pouvez changer d’avis à tout moment."
    ),
    "public_preferences_save": "Enregistrer mes choix",
    "public_preferences_saved": "Vos choix sont enregistrés.",
    "public_preferences_unchanged": ("Aucun changement : vos choix restent les mêmes."),
}

_SPACE_BEFORE = re.compile(r" ([;:?!»])")
_SPACE_AFTER = re.compile(r"« ")


def _typography(text: str) -> str:
    return _SPACE_AFTER.sub("«\u00a0", _SPACE_BEFORE.sub("\u00a0\\1", text))


def _fix(table: dict) -> dict:
    return {
        key: _fix(value) if isinstance(value, dict) else _typography(value)
        for key, value in table.items()
    }


PURPOSES = _fix(PURPOSES)
RECIPIENTS = {key: _typography(value) for key, value in RECIPIENTS.items()}
FIELD_LABELS = _fix(FIELD_LABELS)
FORM_TITLES = _fix(FORM_TITLES)
LABELS = _fix(LABELS)
CATEGORIES = _fix(CATEGORIES)
SOURCES = _fix(SOURCES)
TEXTS = _fix(TEXTS)
