"""Every text of the client documents in English (the source language).

Purpose names, descriptions, retention periods, recipients, field labels
and form titles come from consents.registry, written in English there;
another language's module translates each of them (its dicts have the same
keys: tests/consents/test_document_languages.py checks it).
Placeholders in braces are filled with str.format.
"""

from consents import registry

LANGUAGE_NAME = "English"

PURPOSES = {
    p.code: {"name": p.name, "description": p.description, "retention": p.retention}
    for p in registry.PURPOSES
}
RECIPIENTS = {r: r for p in registry.PURPOSES for r in p.recipients}
FIELD_LABELS = {f.key: f.label for f in registry.CLIENT_FIELDS}
FORM_TITLES = {spec.template: spec.title for spec in registry.FORM_VERSIONS}

# Display values the access report's JSON holds in English (labels of
# choices and of the data map), by that English value.
LABELS = {
    # legal bases
    "Consent": "Consent",
    "Contract": "Contract",
    "Legitimate interest": "Legitimate interest",
    "Legal obligation": "Legal obligation",
    # decisions
    "Granted": "Granted",
    "Withdrawn": "Withdrawn",
    "Objected": "Objected",
    # consent channels and where a record came from
    "Paper form": "Paper form",
    "Website": "Website",
    "Clienteling tool": "Clienteling tool",
    "Phone": "Phone",
    "Email": "Email",
    "In person": "In person",
    "Unsubscribe link": "Unsubscribe link",
    "Preference page": "Preference page",
    "Boutique": "Boutique",
    "Import": "Import",
    "Customer service": "Customer service",
    # contact history
    "Boutique visit": "Boutique visit",
    "Post": "Post",
    "Social network": "Social network",
    "Instant messaging": "Instant messaging",
    "Web form": "Web form",
    "From the client": "From you",
    "To the client": "From us",
}
# The data map's categories and sources (core.classification), by value.
CATEGORIES = {
    "identity": "Identity",
    "contact": "Contact details",
    "payment": "Payment",
    "technical": "Technical data",
    "preferences": "Preferences",
    "health": "Health (metal allergies)",
    "ceremony": "The selling ceremony (ring sizes, dates)",
    "contact history": "Contact history",
    "web activity": "Activity on our websites",
    "purchases": "Purchases",
    "staff notes": "Notes by our staff",
}
SOURCES = {
    "the client (form, website, in person)": "you (a form, the website, in person)",
    "staff entry": "our staff",
    "collected by the website": "collected by our website",
    "computed by Écrin": "computed by our systems",
    "import": "an import",
    "the parent group (generalised insights)": (
        "the parent group (generalised insights)"
    ),
}

TEXTS = {
    "yes": "Yes",
    "no": "No",
    "none": "—",
    # The paper consent form.
    "form_title_version": "{title} · version {number}",
    "form_language": "Language of this form: English",
    "form_services_heading": "Services you ask for",
    "form_details_heading": "Your details",
    "form_legend": (
        "Fields marked with an asterisk (*) are compulsory for the services "
        "whose numbers are given beside them."
    ),
    "form_mandatory_sentence": (
        "If you do not complete these compulsory fields, {house} will not be "
        "able to answer your requests and/or provide you with the requested "
        "services."
    ),
    "form_optional": (
        "The other information is optional and helps us to understand you "
        "better and to improve our communications and services for you."
    ),
    "form_consents_heading": "Your consents",
    "form_consents_lead": (
        "Tick each box you agree to. You may withdraw any consent at any time, "
        "in a boutique or by writing to our customer service."
    ),
    "form_notice_pointer": (
        "How {house} uses your data, and your rights, are set out in the "
        "privacy notice given to you with this form."
    ),
    "form_date": "Date: ____ / ____ / ________",
    "form_signature": "Signature:",
    "tablet_legend": (
        "Fields marked with an asterisk (*) are compulsory for the services "
        "named beside them."
    ),
    "tablet_sign_here": "Sign in the box below with your finger or a stylus.",
    "tablet_clear": "Clear the signature",
    "tablet_compulsory_for": "compulsory for: {services}",
    # The printed privacy notice.
    "notice_title": "How {house} uses your personal data",
    "notice_intro": (
        "This notice tells you which personal data {house} collects about you "
        "in its boutiques, on its websites and through its customer service; "
        "why, on what legal basis and for how long; who receives it; and how "
        "to exercise your rights."
    ),
    "notice_data_heading": "The data we collect",
    "notice_data_lead": (
        "Depending on the services you ask for, and on your choices and the "
        "configuration of your device in relation to cookies, we mainly "
        "collect:"
    ),
    "notice_data_identity": (
        "Identity: nationality, civil status, first and last names, date of birth."
    ),
    "notice_data_contact": (
        "Contact details: email and postal addresses, mobile and landline "
        "numbers, social media identifiers, and bank details when you buy "
        "from us in a boutique or at a distance."
    ),
    "notice_data_technical": (
        "Technical data: login data, cookies and trackers, IP address, and a "
        "coarse location (to suggest the boutique closest to you or to show a "
        "website in your language)."
    ),
    "notice_data_service": (
        "What you tell our advisers and our customer service so that we may "
        "serve you well: your preferences among our collections and how you "
        "like to be contacted; any reaction our creations may cause you (for "
        "example an allergy to certain metals, recorded only with your "
        "explicit consent); the selling ceremony (ring size, wedding date); "
        "our contact history; your activity on our websites."
    ),
    "notice_messaging": (
        "If you choose to write to our staff through an instant messaging "
        "service, {house} cannot guarantee the confidentiality and security "
        "of what is exchanged there: the companies offering these services "
        "process it as controllers, under their own policies, outside the "
        "control of {house}."
    ),
    "notice_purposes_heading": "Why we use your data, on what basis, for how long",
    "notice_purposes_lead": (
        "Your data is used on one of three bases: your consent; the "
        "performance of a contract (your orders); or a legitimate interest of "
        "{house} (for example fighting fraud and counterfeiting), which you "
        "may object to unless stated otherwise."
    ),
    "notice_col_purpose": "Purpose",
    "notice_col_basis": "Legal basis",
    "notice_col_retention": "Kept for",
    "notice_col_recipients": "Recipients",
    "notice_compulsory_heading": "Compulsory and optional information",
    "notice_compulsory": (
        "The information {house} needs for each service is marked with an "
        "asterisk: on the pages of our websites; on the forms our boutique "
        "staff give you to complete and sign (the completed forms are kept by "
        "{house}); and on the forms of the tablet tool used in our boutiques."
    ),
    "notice_group_heading": "Cross-group intelligence (only with your consent)",
    "notice_group": (
        "{house} belongs to a group of houses of which you may also be a "
        "client. If you consent, we share the purchases you made with us over "
        "the last 3 years with our parent company, pseudonymised: your name "
        "and contact details are not sent. Your purchases are matched with "
        "those made from other houses of the group where you gave a similar "
        "consent, and each of them receives back generalised information on "
        "your purchasing habits and preferences, so that our offers and "
        "messages match your interests."
    ),
    "notice_group_controller": (
        "{house} remains the sole controller. The parent company acts as our "
        "processor: it does not use your data for its own purposes, does not "
        "contact you, and shares nothing with houses of which you are not a "
        "client or which do not have your consent."
    ),
    "notice_rights_heading": "Your rights",
    "notice_rights": (
        "You may at any time access your data; have it rectified or erased; "
        "restrict its processing; object to processing based on our "
        "legitimate interest, and to direct marketing without having to give "
        "a reason; receive the data you provided in a structured, portable "
        "format; and withdraw any consent, without affecting what was done "
        "before the withdrawal."
    ),
    "notice_rights_how": (
        "Ask in any of our boutiques or write to our customer service: we "
        "answer within one month. You may also lodge a complaint with the "
        "Commission nationale de l’informatique et des libertés (CNIL, "
        "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) "
        "or with the data-protection authority of the country where you live."
    ),
    "notice_printed_on": "Notice printed on {date}.",
    # The subject-access report.
    "report_title": "Your personal data held by {house}",
    "report_intro": (
        "Client number {number}. Prepared on {date}. This report answers "
        "your request under Article 15 of the General Data Protection "
        "Regulation (GDPR)."
    ),
    "report_times": "Dates and times are given in the time zone {time_zone}.",
    "report_erased": (
        "Your record has been erased. What remains below is kept only under "
        "the legal obligations listed in “What is kept on erasure”."
    ),
    "report_origin_heading": "Where your data comes from",
    "report_origin": "Your record was created from: {source}, on {date}.",
    "report_origin_form": "{form}, version {version}, signed on {date}",
    "report_purposes": "Purposes",
    "report_legal_bases": "Legal bases",
    "report_recipients": "Recipients",
    "report_retention": "Retention",
    "report_sources": "Sources",
    "report_listed_below": (
        "{count} record(s), listed in full under “Contact history”."
    ),
    "report_consents_heading": "Consent history",
    "report_col_when": "When",
    "report_col_purpose": "Purpose",
    "report_col_decision": "Decision",
    "report_col_channel": "Channel",
    "report_col_wording": "Wording shown",
    "report_wordings_note": "The wordings shown, numbered as in the table:",
    "report_no_decision": "No decision recorded.",
    "report_contacts_heading": "Contact history",
    "report_col_direction": "Direction",
    "report_col_subject": "Subject",
    "report_col_summary": "Summary",
    "report_col_staff": "Staff",
    "report_no_contact": "No contact recorded.",
    "report_profiling_heading": "Profiling and segmentation",
    "report_col_processing": "Processing",
    "report_col_basis": "Legal basis",
    "report_col_applies": "Applies to you",
    "report_col_how": "How it works",
    "report_profiling_logic": (
        "Segments and statistics from purchases, preferences and website "
        "visits; no decision with legal or similarly significant effect is "
        "made automatically."
    ),
    "report_kept_heading": "What is kept on erasure, and why",
    "report_col_record": "Record",
    "report_col_field": "Field",
    "report_col_obligation": "Obligation",
    "report_not_included_heading": "Not included",
    "report_not_included_access_log": (
        "The access log (which staff opened your record and when) is kept "
        "for the security of processing and is not part of this report."
    ),
    "report_rights": (
        "You may ask for rectification or erasure, restrict or object to "
        "processing, and lodge a complaint with the CNIL or the "
        "data-protection authority of the country where you live."
    ),
    "report_machine_readable": (
        "The files report.json and csv/*.csv hold the same data for "
        "computers: their keys are stable English identifiers."
    ),
    # Outreach emails (consents.campaigns) and the client's own pages
    # (consents.public_views): {purpose} is the purpose's name.
    "campaign_subject_newsletters_invitations": "News from {house}",
    "campaign_subject_events": "An invitation from {house}",
    "campaign_greeting": "Dear {name},",
    "campaign_body_newsletters_invitations": (
        "Our new creations have arrived in the boutiques. Your adviser will "
        "be delighted to present them to you, by appointment or whenever you "
        "pass by."
    ),
    "campaign_body_events": (
        "We would be delighted to welcome you at our next private "
        "presentation in your boutique. Your adviser will send you the details."
    ),
    "campaign_closing": "With our warmest regards,",
    "campaign_why": "You receive this message because you agreed to “{purpose}”.",
    "campaign_soft_opt_in": (
        "You receive this message as a client of {house}. You can stop these "
        "messages at any time, free of charge, with the link below."
    ),
    "campaign_unsubscribe": "Unsubscribe from “{purpose}” in one click",
    "campaign_preferences": "Manage your choices",
    "campaign_sent_to": "This message was sent to {email}.",
    "public_unsubscribe_title": "Unsubscribe",
    "public_unsubscribe_question": (
        "Do you want to stop receiving “{purpose}” from {house}?"
    ),
    "public_unsubscribe_button": "Unsubscribe",
    "public_unsubscribe_done": (
        "You will no longer receive “{purpose}” from {house}. This took effect at once."
    ),
    "public_preferences_link": "Manage all your choices",
    "public_invalid_title": "This link cannot be used",
    "public_invalid": (
        "This link is not valid or has expired, and nothing was changed. To "
        "change your choices, use the link in a recent message from {house} "
        "or contact your boutique."
    ),
    "public_preferences_title": "Your choices",
    "public_preferences_lead": (
        "Tick what you agree to receive from {house}. You can change your "
        "mind at any time."
    ),
    "public_preferences_save": "Save my choices",
    "public_preferences_saved": "Your choices are saved.",
    "public_preferences_unchanged": (
        "Nothing was changed: your choices are as they were."
    ),
}
