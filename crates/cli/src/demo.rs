//! The demonstration installation: a fictional provider and commissioner, one account
//! per role, all with the same published password. Everything here is made up.

use advocase_domain::identity::{EmailAddress, OrganisationKind, Role};
use advocase_storage::Store;
use advocase_storage::accounts::NewUser;
use advocase_web::pages::sign_in::{DEMO_PASSWORD, DEMO_ROLES};

/// The demo's accounts: role, email address and a made-up name.
pub const DEMO_ACCOUNTS: [(Role, &str, &str); 6] = [
    (Role::Manager, "manager@demo.advocase.test", "Morgan Reyes"),
    (
        Role::IntakeWorker,
        "intake@demo.advocase.test",
        "Priya Shah",
    ),
    (Role::Advocate, "advocate@demo.advocase.test", "Sam Okafor"),
    (
        Role::Advocate,
        "advocate2@demo.advocase.test",
        "Jo Lindqvist",
    ),
    (
        Role::Administrator,
        "admin@demo.advocase.test",
        "Alex Byrne",
    ),
    (
        Role::Commissioner,
        "commissioner@demo.advocase.test",
        "Chris Moreau",
    ),
];

/// Creates the demo organisations and accounts in an empty database.
pub fn create(store: &Store) -> anyhow::Result<()> {
    let provider =
        store.create_organisation(OrganisationKind::Provider, "Riverside Advocacy (demo)")?;
    let commissioner = store.create_organisation(
        OrganisationKind::Commissioner,
        "Northshire County Council (demo)",
    )?;
    // One hash serves every account: they share the published password, and argon2 is
    // deliberately slow.
    let hash = advocase_web::auth::password::hash(DEMO_PASSWORD)?;
    for (role, email, name) in DEMO_ACCOUNTS {
        let organisation_id = match role.organisation_kind() {
            OrganisationKind::Provider => provider,
            OrganisationKind::Commissioner => commissioner,
        };
        store.create_user(
            None,
            NewUser {
                organisation_id,
                email: EmailAddress::parse("email", email)?,
                display_name: name.to_string(),
                role,
                password_hash: Some(hash.clone()),
                is_demo: true,
            },
        )?;
    }
    Ok(())
}

/// The demo accounts as the sign-in page lists them: one per role, in a helpful order.
pub fn sign_in_list() -> Vec<(String, String)> {
    DEMO_ROLES
        .iter()
        .filter_map(|role| DEMO_ACCOUNTS.iter().find(|(r, _, _)| r == role))
        .map(|(role, email, _)| (role.label().to_string(), email.to_string()))
        .collect()
}
