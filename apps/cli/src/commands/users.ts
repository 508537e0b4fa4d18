import { endUserSessions, listUsers, setUserDisabled, type Services } from "@ucie/api";

const USAGE = "usage: users list | users disable EMAIL | users enable EMAIL | users end-sessions EMAIL";

export async function usersCommand(services: Services, args: string[]): Promise<number> {
  const [sub, email] = args;
  if (sub === "list") {
    const rows = await listUsers(services);
    if (rows.length === 0) console.log("no accounts yet");
    for (const u of rows) {
      const state = u.disabledAt ? `disabled ${u.disabledAt.toISOString()}` : u.emailVerified ? "active" : "unverified";
      console.log(
        [u.email, state, u.twoFactor ? "2fa" : "no 2fa", `${u.activeSessions} sessions`, `created ${u.createdAt.toISOString()}`].join("\t"),
      );
    }
    return 0;
  }
  if ((sub === "disable" || sub === "enable" || sub === "end-sessions") && email) {
    const result =
      sub === "end-sessions" ? await endUserSessions(services, email) : await setUserDisabled(services, email, sub === "disable");
    if (!result.ok) {
      console.error(`no account with the e-mail address ${email}`);
      return 1;
    }
    if (sub === "enable") console.log(`${email}: enabled`);
    else console.log(`${email}: ${sub === "disable" ? "disabled, " : ""}${result.sessionsEnded} sessions ended`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}
