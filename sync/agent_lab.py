"""`mooc lab agent`: the administrator installs the sync agent for every account, or forbids it.

The choice is written to the lab policy (`[agent] mode`, player/lab_policy.py), which
every account reads: "everyone" also writes the every-account file
(sync/agent_install.py: /etc/systemd/user with its default.target.wants link,
/etc/xdg/autostart, /Library/LaunchAgents, or a Task Scheduler task at every user's
logon) so each account's session starts the agent for its own data folder;
"forbidden" removes that file, makes `--install-agent` refuse, and makes a running
agent stop at its next look at the policy (within seconds); "choice" gives the
decision back to each account.
"""

from __future__ import annotations

from packages.i18n import N_, _
from packages.layout import Layout
from player import lab_policy
from sync.agent_install import install, remove

MODES = ("everyone", "forbidden", "choice")


def set_mode(layout: Layout, mode: str) -> list[str]:
    """Write MODE to the policy and install or remove the every-account file; what was done."""
    raw = dict(lab_policy.load(layout).raw)
    if mode == "choice":
        raw.pop("agent", None)
    else:
        raw["agent"] = {"mode": mode}
    lab_policy.write(layout, raw)
    done = [_(_TOLD[mode]).format(path=lab_policy.policy_file(layout))]
    if mode == "everyone":
        outcome = install(layout, everyone=True)
        done.append(_("installed for every account ({kind}): {path}").format(kind=outcome.kind, path=outcome.path))
        done += [f"  {note}" for note in outcome.notes]
    else:
        done += [
            _("removed the every-account agent ({kind}): {path}").format(kind=o.kind, path=o.path)
            for o in remove(layout, everyone=True)
        ]
    return done


_TOLD = {
    "everyone": N_("lab policy: the sync agent is started at every account's login ({path})"),
    "forbidden": N_("lab policy: the sync agent is forbidden on this computer ({path})"),
    "choice": N_("lab policy: the sync agent is each account's choice (`mooc sync --install-agent`) ({path})"),
}
