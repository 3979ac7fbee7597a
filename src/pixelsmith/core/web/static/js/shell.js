// Behaviour shared by every page (kept tiny: pages work without it).

// On narrow screens the app navigation may scroll sideways: keep the current app in view.
const current = document.querySelector('.app-nav a[aria-current="page"]');
if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
