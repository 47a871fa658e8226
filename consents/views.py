"""Staff pages of consents, inside the admin (wrapped by admin_view).

Each view checks a permission, scopes clients through
Client.objects.visible_to(request.user) (an out-of-scope client is a 404),
calls one service or selector and turns ValidationError into messages.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clienteling.exceptions import StoredFileGone
from clienteling.models import Boutique, Client
from consents import campaigns, services
from consents import outreach as outreach_lists
from consents.conversations import conversation_consent_record, email_copy_path
from consents.documents import render as documents_render
from consents.documents.languages import (
    ENGLISH,
    NATIVE_NAMES,
    DocumentLanguage,
    document_language,
    language_choices,
)
from consents.documents.render import render_notice, render_paper_form
from consents.forms import (
    ConversationConsentForm,
    OutreachForm,
    PaperFormCaptureForm,
    TabletCaptureForm,
)
from consents.models import (
    Channel,
    ConsentConversation,
    ConsentDecision,
    EmailCampaign,
    FormTemplate,
    FormTemplateVersion,
    OutreachList,
    PaperFormSubmission,
    Purpose,
)
from consents.panels import consent_panel_context
from consents.selectors import paper_form_initial, sees_special_categories
from core import downloads, hooks
from core.confirmation import Section, confirmation_page, is_confirmed
from core.models import Job


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _visible_client(request, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)


def _boutiques_for(user):
    if user.is_superuser or user.has_perm("clienteling.view_all_clients"):
        return Boutique.objects.active()
    return Boutique.objects.active().filter(staff=user)


def client_page_url(client: Client) -> str:
    """The client 360 page if installed, else this app's consents page."""
    try:
        return reverse("admin:clienteling_client_card", args=[client.pk])
    except NoReverseMatch:
        return reverse("admin:consents_client", args=[client.pk])


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def client_consents(request, client_id: int):
    _require(request, "consents.view_consentdecision")
    client = _visible_client(request, client_id)
    hooks.record_access(
        user=request.user, action="view", target=client, path=request.path
    )
    ledger = ConsentDecision.objects.filter(client=client)
    if not sees_special_categories(request.user):
        ledger = ledger.exclude(purpose__special_category=True)
    ledger = list(
        ledger.select_related(
            "purpose", "recorded_by", "submission", "wording__version__template"
        ).order_by("-decided_at", "-id")[:100]
    )
    for row in ledger:
        row.language_name = NATIVE_NAMES.get(row.language, row.language)
    return render(
        request,
        "consents/client_consents.html",
        _context(
            request,
            title=(_("Consents of %(client)s") % {"client": client}),
            ledger=ledger,
            panel=consent_panel_context(request, client),
            print_version=FormTemplateVersion.objects.filter(
                template__kind=FormTemplate.Kind.PAPER
            )
            .order_by("-published_at", "-number")
            .first(),
            document_languages=language_choices(),
            client_language=client.preferred_language,
        ),
    )


@require_POST
def withdraw(request, client_id: int):
    """Withdraw a consent in one click; an objection goes to its
    confirmation page (object_consent) instead."""
    _require(request, "consents.add_consentdecision")
    if request.POST.get("decision") == ConsentDecision.Decision.OBJECT:
        return object_consent(request, client_id)
    client = _visible_client(request, client_id)
    purpose_code = request.POST.get("purpose", "")
    channel = request.POST.get("channel") or Channel.IN_PERSON
    objecting = request.POST.get("decision") == ConsentDecision.Decision.OBJECT
    try:
        services.consent_record(
            acting_user=request.user,
            client=client,
            purpose_code=purpose_code,
            decision=ConsentDecision.Decision.OBJECT
            if objecting
            else ConsentDecision.Decision.WITHDRAW,
            channel=channel,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        done = "Objection recorded" if objecting else "Consent withdrawn"
        messages.success(
            request,
            (
                _("%(done)s for %(client)s, effective now.")
                % {"done": done, "client": client}
            ),
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = client_page_url(client)
    return redirect(target)


def object_consent(request, client_id: int):
    """The confirmation page of an objection; it is recorded on its POST.

    Shown on GET and on a POST from the consents panel (which carries the
    channel chosen there); only a POST from this page's button records it.
    """
    _require(request, "consents.add_consentdecision")
    client = _visible_client(request, client_id)
    data = request.POST if request.method == "POST" else request.GET
    purpose_code = data.get("purpose", "")
    channel = data.get("channel") or Channel.IN_PERSON
    target = data.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = client_page_url(client)
    purpose = Purpose.objects.filter(code=purpose_code, is_active=True).first()
    if (
        purpose is not None
        and purpose.special_category
        and not sees_special_categories(request.user)
    ):
        # As consents.services.consent_record refuses it: the same answer
        # whatever the ledger holds, before any page names the purpose.
        raise PermissionDenied
    error = ""
    if purpose is None:
        error = _("Choose a purpose from the client's consents: this one is unknown.")
    elif not purpose.can_object:
        error = _("The client cannot object to “%(name)s”.") % {
            "name": purpose.display_name
        }
    elif channel not in Channel.values:
        error = _("Choose how the client told you: in person, by phone or by email.")
    can_act = not error
    if can_act and is_confirmed(request):
        try:
            services.consent_record(
                acting_user=request.user,
                client=client,
                purpose_code=purpose.code,
                decision=ConsentDecision.Decision.OBJECT,
                channel=channel,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                (
                    _("Objection recorded for %(client)s, effective now.")
                    % {"client": client}
                ),
            )
            return redirect(target)
    elif can_act and request.method == "POST" and request.POST.get("confirm"):
        error = _("Use the button on this page to record it. Nothing was changed.")
    return confirmation_page(
        request,
        admin_site=admin.site,
        title=(_("Record an objection for %(client)s") % {"client": client}),
        lead=(
            _(
                "%(client)s (%(number)s) objects to “%(purpose)s”. It takes "
                "effect at once; only a new consent from the client reverses it."
            )
            % {
                "client": client.full_name,
                "number": client.client_number,
                "purpose": purpose.display_name,
            }
            if purpose
            else _(
                "%(client)s (%(number)s) objects. It takes effect at once; only "
                "a new consent from the client reverses it."
            )
            % {"client": client.full_name, "number": client.client_number}
        ),
        sections=_objection_sections(purpose=purpose, channel=channel)
        if can_act
        else [],
        action_label=_("Record the objection"),
        cancel_url=target,
        breadcrumbs=[(str(client), client_page_url(client))],
        hidden={
            "purpose": purpose_code,
            "channel": channel,
            "next": target,
            "decision": ConsentDecision.Decision.OBJECT,
        },
        error=error,
        can_act=can_act,
    )


def _objection_sections(*, purpose: Purpose, channel: str) -> list[Section]:
    stops = [
        (
            _(
                "Processing for “%(name)s” stops for this client from now on: "
                "%(description)s"
            )
            % {"name": purpose.display_name, "description": purpose.display_description}
        ),
        _("Outreach lists for this purpose leave the client out."),
    ]
    if purpose.direct_marketing:
        stops.append(
            _(
                "The client's email addresses and phone numbers go on the "
                "suppression list: no marketing reaches them, whoever imports "
                "them again."
            )
        )
    return [
        Section(
            heading=_("The objection"),
            lines=[
                (_("Purpose: %(name)s") % {"name": purpose.display_name}),
                (
                    _("How the client told you: %(label)s")
                    % {"label": Channel(channel).label}
                ),
            ],
        ),
        Section(heading=_("What stops"), lines=stops),
    ]


def _latest_paper_version(request) -> FormTemplateVersion:
    versions = FormTemplateVersion.objects.filter(
        template__kind=FormTemplate.Kind.PAPER
    ).select_related("template")
    wanted = request.GET.get("version") or request.POST.get("version")
    if wanted:
        if not str(wanted).isdigit():
            raise Http404("No paper form version with this id.")
        return get_object_or_404(versions, pk=wanted)
    version = versions.order_by("-published_at", "-number").first()
    if version is None:
        raise Http404("No paper form version is published.")
    return version


def capture(request, client_id: int | None = None):
    _require(request, "consents.add_paperformsubmission")
    client = _visible_client(request, client_id) if client_id else None
    version = _latest_paper_version(request)
    boutiques = _boutiques_for(request.user)
    if client is not None:
        hooks.record_access(
            user=request.user, action="view", target=client, path=request.path
        )
        initial = paper_form_initial(client)
    else:
        initial = {}
    form = PaperFormCaptureForm(
        request.POST or None,
        request.FILES or None,
        version=version,
        boutiques=boutiques,
        initial=initial,
    )
    sentence = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.paper_form_capture(
                acting_user=request.user,
                version=version,
                services=form.cleaned_data["services"],
                values=form.values(),
                consents=form.cleaned_data["consents"],
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
                boutique=form.cleaned_data["boutique"],
                client=client,
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            mandatory = set(
                services.missing_mandatory_fields(
                    version=version,
                    services=form.cleaned_data["services"],
                    values=form.values(),
                )
            )
            if mandatory:
                sentence = services.MANDATORY_FIELDS_SENTENCE.format(
                    house=settings.HOUSE_NAME
                )
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(
                request,
                (
                    _(
                        "Paper form recorded for %(client)s: "
                        "%(count)s consent decision(s)."
                    )
                    % {"client": result.client, "count": len(result.decisions)}
                ),
            )
            return redirect(client_page_url(result.client))
    return render(
        request,
        "consents/capture.html",
        _context(
            request,
            title=(
                _("Key in a signed paper form for %(client)s") % {"client": client}
                if client
                else _("Key in a signed paper form")
            ),
            form=form,
            version=version,
            client=client,
            sentence=sentence,
            mandatory_map=form.mandatory,
        ),
        status=400 if request.method == "POST" else 200,
    )


def _tablet_language(request, client: Client, version) -> DocumentLanguage:
    """The client's language (or ?language= / the posted one, when the
    client prefers to read another), among the version's wordings."""
    asked = request.POST.get("language") or request.GET.get("language")
    language = document_language(asked or client.preferred_language)
    if not version.wordings.filter(language=language.code).exists():
        language = document_language(ENGLISH)
    return language


def tablet_capture(request, client_id: int):
    """The clienteling-tool form, filled in and signed by the client on
    the tablet (services.tablet_capture)."""
    _require(request, "consents.add_paperformsubmission")
    client = _visible_client(request, client_id)
    try:
        version = services.tablet_version()
    except ValidationError:
        raise Http404("No clienteling-tool form version is published.") from None
    language = _tablet_language(request, client, version)
    hooks.record_access(
        user=request.user, action="view", target=client, path=request.path
    )
    form = TabletCaptureForm(
        request.POST or None,
        request.FILES or None,
        version=version,
        language=language,
        boutiques=_boutiques_for(request.user),
        initial=paper_form_initial(client),
    )
    show_sentence = False
    if request.method == "POST" and form.is_valid():
        try:
            result = services.tablet_capture(
                acting_user=request.user,
                client=client,
                version=version,
                services=form.cleaned_data["services"],
                values=form.values(),
                consents=form.cleaned_data["consents"],
                signature=form.cleaned_data["signature"],
                boutique=form.cleaned_data["boutique"],
                language=language.code,
            )
        except ValidationError as exc:
            show_sentence = bool(
                services.missing_mandatory_fields(
                    version=version,
                    services=form.cleaned_data["services"],
                    values=form.values(),
                )
            )
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(
                request,
                (
                    _(
                        "Signed form recorded for %(client)s: "
                        "%(count)s consent decision(s)."
                    )
                    % {"client": result.client, "count": len(result.decisions)}
                ),
            )
            return redirect("admin:consents_client", client.pk)
    context = documents_render.paper_form_context(version, language)
    return render(
        request,
        "consents/tablet_capture.html",
        _context(
            request,
            title=(_("Consent form for %(client)s") % {"client": client}),
            form=form,
            version=version,
            client=client,
            language=language,
            languages=[
                (code, NATIVE_NAMES.get(code, code))
                for code in sorted(
                    set(version.wordings.values_list("language", flat=True))
                )
            ],
            t=context["t"],
            form_title=context["title"],
            client_fields=[
                (
                    field,
                    context["t"]["tablet_compulsory_for"].format(
                        services=", ".join(needed_by)
                    )
                    if needed_by
                    else "",
                )
                for field, needed_by in form.client_fields()
            ],
            show_sentence=show_sentence,
            client_page=client_page_url(client),
        ),
        status=400 if request.method == "POST" else 200,
    )


def _conversation_purposes(user) -> list[Purpose]:
    """Consent-based purposes a consent by phone or email can be about;
    special categories only for staff who see health data."""
    purposes = Purpose.objects.filter(
        is_active=True, legal_basis=Purpose.LegalBasis.CONSENT
    )
    if not sees_special_categories(user):
        purposes = purposes.exclude(special_category=True)
    return list(purposes)


def _conversation_versions():
    """Form versions with consent wordings, the latest published first."""
    return (
        FormTemplateVersion.objects.filter(wordings__isnull=False)
        .distinct()
        .select_related("template")
        .order_by("-published_at", "-number", "-pk")
    )


def conversation_consent(request, client_id: int):
    """Record consent given or withdrawn by phone or email, with its call
    id or a copy of the email (consents.conversations, decision 0072)."""
    _require(request, "consents.add_consentconversation")
    client = _visible_client(request, client_id)
    versions = _conversation_versions()
    latest = versions.first()
    if latest is None:
        raise Http404("No form version with consent wordings is published.")
    data = request.POST if request.method == "POST" else request.GET
    version = versions.filter(pk=data.get("version") or latest.pk).first() or latest
    codes = sorted(set(version.wordings.values_list("language", flat=True)))
    asked = data.get("language") or document_language(client.preferred_language).code
    language = asked if asked in codes else (ENGLISH if ENGLISH in codes else codes[0])
    purposes = _conversation_purposes(request.user)
    hooks.record_access(
        user=request.user, action="view", target=client, path=request.path
    )
    form = ConversationConsentForm(
        request.POST or None,
        request.FILES or None,
        purposes=purposes,
        versions=versions,
        languages=[(code, NATIVE_NAMES.get(code, code)) for code in codes],
        initial={"version": version.pk, "language": language},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = conversation_consent_record(
                acting_user=request.user,
                client=client,
                channel=data["channel"],
                purpose_codes=data["purposes"],
                decision=data["decision"],
                version=data["version"],
                language=data["language"],
                reference=data["reference"],
                email_copy=data["email_copy"],
            )
        except PermissionDenied as exc:
            form.add_error("purposes", str(exc))
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(
                    "purposes"
                    if key == "purpose"
                    else (key if key in form.fields else None),
                    errors,
                )
        else:
            names = ", ".join(d.purpose.display_name for d in result.decisions)
            granted = data["decision"] == ConsentDecision.Decision.GRANT
            if data["channel"] == ConsentConversation.Medium.PHONE:
                how = _("by phone (call %(reference)s)") % {
                    "reference": result.conversation.reference
                }
            else:
                how = _("by email (copy kept)")
            message = (
                _("Recorded for %(client)s %(how)s: consent given to %(purposes)s.")
                if granted
                else _(
                    "Recorded for %(client)s %(how)s: consent withdrawn from "
                    "%(purposes)s."
                )
            )
            messages.success(
                request, message % {"client": client, "how": how, "purposes": names}
            )
            return redirect(client_page_url(client))
    wordings = {
        w.purpose_id: w.text for w in version.wordings.filter(language=language)
    }
    return render(
        request,
        "consents/conversation_consent.html",
        _context(
            request,
            title=(
                _("Record a consent given by phone or email: %(client)s")
                % {"client": client}
            ),
            form=form,
            client=client,
            version=version,
            language=language,
            wordings=[(p.display_name, wordings.get(p.pk, "")) for p in purposes],
            client_page=client_page_url(client),
        ),
        status=400 if request.method == "POST" else 200,
    )


EMAIL_COPY = downloads.register(
    downloads.Download(
        key="consent-email-copy",
        label=_("Copy of a client's consent email (consent decisions)"),
        sites=("consents.views.email_copy",),
        spreadsheet=False,
        not_spreadsheet_because=(
            "the email as it was saved, served as an attachment; its content "
            "was checked at upload to be an .eml, .msg, .pdf or .txt file"
        ),
    )
)


def email_copy(request, pk: int):
    """The copy of a consent email, for staff who see its client."""
    _require(request, "consents.view_consentconversation")
    conversation = (
        ConsentConversation.objects.filter(
            client__in=Client.objects.visible_to(request.user)
        )
        .filter(pk=pk)
        .first()
    )
    if conversation is None:
        hooks.record_access(
            user=request.user,
            action="denied",
            target=ConsentConversation,
            object_id=pk,
            path=request.path,
        )
        raise Http404("No consent email with this id in your scope.")
    path = email_copy_path(conversation)
    if path is None or not path.is_file():
        raise Http404("The copy of the email is missing.")
    hooks.record_access(
        user=request.user, action="download", target=conversation, path=request.path
    )
    response = FileResponse(
        path.open("rb"), content_type=conversation.copy_content_type
    )
    extension = path.suffix
    response["Content-Disposition"] = (
        f'attachment; filename="consent-email-{conversation.pk}{extension}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


PAPER_FORM_SCAN = downloads.register(
    downloads.Download(
        key="paper-form-scan",
        label=_("Scan of a signed paper form (client consents page)"),
        # The demo uploads a generated scan, served by the same view.
        sites=("consents.views.scan", "consents.demo._seed_paper_form"),
        spreadsheet=False,
        not_spreadsheet_because=(
            "the file as it was scanned, served inline; its content was "
            "checked at upload to be a PDF, JPEG or PNG (scan_validate)"
        ),
    )
)


def scan(request, pk: int):
    _require(request, "consents.view_paperformsubmission")
    submission = (
        PaperFormSubmission.objects.filter(
            client__in=Client.objects.visible_to(request.user)
        )
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        hooks.record_access(
            user=request.user,
            action="denied",
            target=PaperFormSubmission,
            object_id=pk,
            path=request.path,
        )
        raise Http404("No signed form with this id in your scope.")
    path = services.scan_path(submission.scan_name)
    if not path.is_file():
        raise Http404("The scan file is missing.")
    hooks.record_access(
        user=request.user, action="download", target=submission, path=request.path
    )
    response = FileResponse(path.open("rb"), content_type=submission.scan_content_type)
    response["Content-Disposition"] = f'inline; filename="form-{submission.pk}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _document_language(request) -> DocumentLanguage:
    """The language a printed document is asked in: ?language=, else the
    language of ?client= (in the user's scope, the access logged), else
    English. A language without texts falls back to English, and says so."""
    code = request.GET.get("language", "")
    client_id = request.GET.get("client", "")
    if not code and client_id:
        if not client_id.isdigit():
            raise Http404("No client with this id.")
        client = _visible_client(request, int(client_id))
        hooks.record_access(
            user=request.user, action="view", target=client, path=request.path
        )
        code = client.preferred_language
    return document_language(code)


def print_form(request, pk: int):
    _require(request, "consents.view_formtemplateversion")
    version = get_object_or_404(
        FormTemplateVersion.objects.select_related("template"), pk=pk
    )
    language = _document_language(request)
    return HttpResponse(render_paper_form(version, language, for_pdf=False))


PAPER_FORM_PDF = downloads.register(
    downloads.Download(
        key="paper-form-pdf",
        label=_("Paper consent form to print (PDF)"),
        sites=("consents.views.print_form_pdf",),
        spreadsheet=False,
        not_spreadsheet_because=(
            "a PDF of a form template, blank: it holds no client data"
        ),
    )
)


def print_form_pdf(request, pk: int):
    _require(request, "consents.view_formtemplateversion")
    version = get_object_or_404(
        FormTemplateVersion.objects.select_related("template"), pk=pk
    )
    language = _document_language(request)
    html = render_paper_form(version, language, for_pdf=True)
    response = HttpResponse(
        documents_render.pdf(html, "consents/print-form.css"),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'inline; filename="{version.template.code}-v{version.number}-'
        f'{language.code}.pdf"'
    )
    return response


def notice(request):
    """The privacy notice to print and hand over, in a language."""
    _require(request, "consents.view_formtemplateversion")
    return HttpResponse(render_notice(_document_language(request), for_pdf=False))


PRIVACY_NOTICE_PDF = downloads.register(
    downloads.Download(
        key="privacy-notice-pdf",
        label=_("Privacy notice to print (PDF)"),
        sites=("consents.views.notice_pdf",),
        spreadsheet=False,
        not_spreadsheet_because="a PDF of the notice: it holds no client data",
    )
)


def notice_pdf(request):
    _require(request, "consents.view_formtemplateversion")
    language = _document_language(request)
    html = render_notice(language, for_pdf=True)
    response = HttpResponse(
        documents_render.pdf(html, "consents/print-form.css"),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'inline; filename="privacy-notice-{language.code}.pdf"'
    )
    return response


def outreach(request):
    """Ask for an outreach list (POST), and follow the user's recent ones.

    The list is built by a job (consents.outreach, kind
    consents.outreach_list); the page shows each list's progress from its
    core.Job row and refreshes while one builds.
    """
    _require(request, outreach_lists.BUILD_PERMISSION)
    form = OutreachForm(request.POST or None, boutiques=_boutiques_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            outreach_list = outreach_lists.outreach_list_request(
                acting_user=request.user,
                purpose=form.cleaned_data["purpose"],
                channel=form.cleaned_data["channel"],
                boutique=form.cleaned_data["boutique"],
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(
                request,
                (
                    _(
                        "Outreach list %(pk)s is being built: its "
                        "progress is below, and "
                        "a download link appears when it is ready."
                    )
                    % {"pk": outreach_list.pk}
                ),
            )
            return redirect("admin:consents_outreach")
    recent = list(
        OutreachList.objects.filter(requested_by=request.user).select_related(
            "purpose", "boutique", "job"
        )[: outreach_lists.RECENT_LISTS_SHOWN]
    )
    sent = list(
        EmailCampaign.objects.filter(requested_by=request.user).select_related(
            "outreach_list__purpose", "job"
        )[: outreach_lists.RECENT_LISTS_SHOWN]
    )
    return render(
        request,
        "consents/outreach.html",
        _context(
            request,
            title=_("Build an outreach list"),
            form=form,
            lists=recent,
            campaigns=sent,
            running=any(item.is_running for item in recent)
            or any(
                item.job is not None and item.job.status in Job.UNFINISHED
                for item in sent
            ),
            download_days=settings.OUTREACH_LIST_DOWNLOAD_DAYS,
        ),
        status=400 if request.method == "POST" else 200,
    )


def outreach_download(request, pk: int):
    """The CSV of a ready list: the requester's own, or any for compliance."""
    user = request.user
    if not (
        user.has_perm(outreach_lists.BUILD_PERMISSION)
        or user.has_perm(outreach_lists.DOWNLOAD_ANY_PERMISSION)
    ):
        raise PermissionDenied
    outreach_list = (
        OutreachList.objects.visible_to(user)
        .select_related("purpose", "job")
        .filter(pk=pk)
        .first()
    )
    if outreach_list is None:
        hooks.record_access(
            user=user,
            action="denied",
            target=OutreachList,
            object_id=pk,
            path=request.path,
        )
        raise Http404("No outreach list with this id in your scope.")
    try:
        file = outreach_lists.outreach_list_open_for_download(
            acting_user=user, outreach_list=outreach_list, path=request.path
        )
    except StoredFileGone as exc:
        raise Http404(" ".join(exc.messages)) from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if user.has_perm(outreach_lists.BUILD_PERMISSION):
            return redirect("admin:consents_outreach")
        return redirect("admin:consents_outreachlist_changelist")
    response = FileResponse(file.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="outreach-{outreach_list.pk}-'
        f'{outreach_list.purpose.code}-{outreach_list.channel}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def campaign_send(request, pk: int):
    """Send a ready email list as an email campaign. Who gets it is counted
    by a job (consents.campaign_preview): the page starts it, follows its
    progress, then shows the confirmation (how many get it, how many are
    skipped and why, the frequency cap included); the campaign's job is
    queued on its POST."""
    _require(request, outreach_lists.BUILD_PERMISSION)
    outreach_list = get_object_or_404(
        OutreachList.objects.filter(requested_by=request.user).select_related(
            "purpose", "job"
        ),
        pk=pk,
    )
    back = reverse("admin:consents_outreach")
    here = reverse("admin:consents_outreach_campaign", args=[outreach_list.pk])
    refusal = error = campaigns.campaign_refusal(request.user, outreach_list)
    title = _("Send outreach list %(pk)s as an email campaign") % {
        "pk": outreach_list.pk
    }
    lead = _("“%(purpose)s” by email. Messages cannot be called back once sent.") % {
        "purpose": outreach_list.purpose.display_name
    }
    breadcrumbs = [(gettext("Build an outreach list"), back)]
    if not refusal and request.method == "POST" and request.POST.get("step") == "count":
        try:
            campaigns.campaign_preview_start(
                acting_user=request.user, outreach_list=outreach_list
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(here)
    count_job = (
        None
        if refusal
        else campaigns.campaign_preview_latest(
            acting_user=request.user, outreach_list=outreach_list
        )
    )
    if not refusal and not campaigns.campaign_preview_is_fresh(count_job):
        return _campaign_count_page(
            request,
            count_job,
            title=title,
            lead=lead,
            here=here,
            back=back,
            breadcrumbs=breadcrumbs,
            stale=request.method == "POST",
        )
    preview = (
        count_job.result if not refusal else {"to_send": 0, "skipped_by_reason": {}}
    )
    if not error and not preview.get("to_send"):
        error = gettext("No client of this list can be sent the message now.")
    if not error and is_confirmed(request):
        try:
            campaign = campaigns.campaign_request(
                acting_user=request.user, outreach_list=outreach_list
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Email campaign %(pk)s is being sent: its progress is below.")
                % {"pk": campaign.pk},
            )
            return redirect(back)
    count, days = campaigns.frequency_cap()
    skipped = sorted(
        (gettext(reason), number)
        for reason, number in preview.get("skipped_by_reason", {}).items()
    )
    sections = []
    if not refusal:
        sections = [
            Section(
                gettext("Who gets it"),
                [
                    ngettext(
                        "%(count)s client gets the message by email, in their "
                        "language, with a one-click unsubscribe link.",
                        "%(count)s clients get the message by email, each in "
                        "their language, with a one-click unsubscribe link.",
                        preview.get("to_send", 0),
                    )
                    % {"count": preview.get("to_send", 0)}
                ],
                note=gettext(
                    "Consents are checked again as each message is sent: a "
                    "client who withdraws meanwhile does not get it."
                ),
            ),
            Section(
                gettext("Who is skipped"),
                [f"{reason}: {number}" for reason, number in skipped]
                or [gettext("No one.")],
                note=ngettext(
                    "Contact-frequency cap: no client gets more than %(count)s "
                    "marketing message in %(days)s days, whoever sends it.",
                    "Contact-frequency cap: no client gets more than %(count)s "
                    "marketing messages in %(days)s days, whoever sends them.",
                    count,
                )
                % {"count": count, "days": days},
            ),
        ]
    return confirmation_page(
        request,
        admin_site=admin.site,
        title=title,
        lead=lead,
        sections=sections,
        action_label=_("Send the campaign"),
        cancel_url=back,
        breadcrumbs=breadcrumbs,
        error=error,
        can_act=not error,
        extra_template="consents/campaign_count.html",
        extra={"count_job": count_job, "count_url": here},
    )


def _campaign_count_page(
    request, count_job, *, title, lead, here, back, breadcrumbs, stale
):
    """The campaign page before its count is ready: the button that starts
    the count, or its progress (static/ecrin/job_progress.js follows it and
    reloads the page when it ends), or why it failed."""
    running = count_job is not None and not count_job.is_finished
    error = ""
    if stale:
        error = gettext(
            "The count is more than %(minutes)s minutes old: count again, then "
            "confirm. Nothing was sent."
        ) % {"minutes": int(campaigns.PREVIEW_FRESH.total_seconds() // 60)}
    elif count_job is not None and count_job.status in (
        Job.Status.FAILED,
        Job.Status.CANCELLED,
    ):
        error = count_job.error or gettext("The count was stopped before the end.")
    return confirmation_page(
        request,
        admin_site=admin.site,
        title=title,
        lead=lead,
        sections=[],
        action_label=_("Count who gets it"),
        cancel_url=back,
        breadcrumbs=breadcrumbs,
        hidden={"step": "count"},
        error=error,
        can_act=not running,
        extra_template="consents/campaign_count.html",
        extra={
            "count_job": count_job,
            "count_running": running,
            "count_url": here,
            "count_progress_url": reverse(
                "admin:consents_campaign_count_progress", args=[count_job.pk]
            )
            if running
            else "",
        },
    )


def campaign_count_progress(request, job_id: int):
    """A count's progress for the campaign page's script (no page data)."""
    _require(request, outreach_lists.BUILD_PERMISSION)
    job = get_object_or_404(
        Job.objects.filter(kind=campaigns.PREVIEW_KIND, owner=request.user),
        pk=job_id,
    )
    return JsonResponse(
        {
            "finished": job.is_finished,
            "percent": job.percent,
            "label": job.progress_label or job.get_status_display(),
        }
    )
