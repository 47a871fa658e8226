'use strict';
// Runs before the admin's deferred scripts (it is not deferred): on a tablet
// or a narrow window (under 1200 px) the navigation starts collapsed unless
// this device already chose (the admin remembers the toggle per device).
{
    const narrow = window.matchMedia('(max-width: 1199px)').matches;
    try {
        if (narrow && localStorage.getItem('django.admin.navSidebarIsOpen') === null) {
            localStorage.setItem('django.admin.navSidebarIsOpen', 'false');
        }
    } catch (e) {
        // Private browsing without storage: the admin's default applies.
    }
}
