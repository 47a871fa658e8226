'use strict';
// Tablet layout: list filters start collapsed under 1200 px (until the person
// opens one: the admin remembers that for the session).
{
    const narrow = window.matchMedia('(max-width: 1199px)').matches;
    let remembered = null;
    try {
        remembered = sessionStorage.getItem('django.admin.filtersState');
    } catch (e) {
        remembered = null;
    }
    if (narrow && remembered === null) {
        document.querySelectorAll('#changelist-filter details').forEach((detail) => {
            detail.removeAttribute('open');
        });
    }
}
