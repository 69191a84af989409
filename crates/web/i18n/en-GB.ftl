# The English (UK) text of every Advocase page. Plain English: short sentences, everyday
# words, "you" for the reader. Keys are grouped by page.

## Layout
skip-to-main = Skip to main content
demo-banner = This is a demonstration. Everyone in it is made up. Do not enter real people's details.
signed-in-as = Signed in as { $name }
sign-out = Sign out
nav-label = Main menu
nav-home = Home
nav-settings = Your account
nav-audit = Audit trail
nav-users = Staff accounts
nav-tokens = API tokens
nav-calendars = Bank holidays
footer-text = Advocase: case management for independent advocacy. Free and open-source software.
error-title-prefix = Error:
error-prefix = Error:
error-summary-title = There is a problem
success = Success
continue = Continue
search-button = Search
date-hint = For example, 27 3 2026 or 2026-03-27
name-label = Name
email-label = Email address
password-label = Password
role-column = Role
status-column = Status
actions-column = Actions
date-column = Date
issued-column = Issued
last-used-column = Last used
organisation-label = Organisation
revoked = Revoked
never = Never

## Error pages
error-go-home = Go to the home page
error-not-found-heading = Page not found
error-not-found-message = If you typed the web address, check it is correct. If you pasted it, check you copied all of it.
error-forbidden-heading = This request was refused
error-forbidden-message = Forms can only be sent from Advocase's own pages. Go back, reload the page and try again.
error-method-heading = This page cannot do that
error-method-message = The page exists, but not for this kind of request. Go back and try again from a link or button.
error-too-large-heading = That was too much to send
error-too-large-message = What you sent is larger than Advocase accepts. Send less at a time.
error-bad-request-heading = Sorry, we could not read that
error-bad-request-message = Go back, check what you entered and try again.
error-conflict-heading = Someone else changed this record
error-conflict-message = Your changes were not saved, so nothing was lost or overwritten. Open the record again to see the latest version.
error-too-many-heading = Too many attempts
error-too-many-message = Wait a minute and try again.
error-unavailable-heading = Sorry, the service is unavailable
error-unavailable-message = Try again in a few minutes.
error-internal-heading = Sorry, there is a problem with the service
error-internal-message = Try again later. The problem has been logged.

## Sign in
sign-in-heading = Sign in to Advocase
sign-in-button = Sign in
sign-in-failed = Enter a correct email address and password. After 5 wrong attempts in a row, the account is locked for 15 minutes.
sign-in-signed-out = You have signed out.
sign-in-expired = You have been signed out. Sign in again to continue.
demo-accounts-heading = Demonstration accounts
demo-accounts-intro = Each account below shows Advocase as one kind of staff member sees it. The password for all of them is { $password }
sign-in-password-missing = Enter your password

## Two-factor
two-factor-heading = Enter your security code
two-factor-intro = Open the authenticator app on your phone and enter the 6-digit code it shows for Advocase.
two-factor-code-label = Security code
two-factor-code-hint = The 6-digit code from your authenticator app
two-factor-wrong = Enter the 6-digit code your authenticator app shows now. Each code works once.
two-factor-setup-heading = Set up two-step sign-in
two-factor-setup-why = Advocase holds sensitive records about people. To keep them safe, every member of staff signs in with a password and a code from an app on their phone.
two-factor-setup-step-app = Install an authenticator app on your phone, such as Microsoft Authenticator, Google Authenticator or FreeOTP.
two-factor-setup-step-scan = In the app, add an account and scan this QR code.
two-factor-setup-step-code = Enter the 6-digit code the app shows.
two-factor-qr-alt = QR code to scan with your authenticator app. If you cannot scan it, open "I cannot scan the QR code" below for a key to type in.
two-factor-cannot-scan = I cannot scan the QR code
two-factor-key-intro = Type this key into your authenticator app instead. Choose a time-based code if the app asks.
two-factor-setup-button = Turn on two-step sign-in
two-factor-status-label = Two-step sign-in
two-factor-on = On
two-factor-demo = Not needed for demonstration accounts

## Home
home-heading = Hello, { $name }
home-intro-administrator = You run this Advocase installation: staff accounts, API tokens and settings. You do not see the content of cases.
home-intro-manager = You supervise advocates and keep the service safe. Every time you look at a record, it is noted in the audit trail.
home-intro-intake_worker = You receive referrals and decide whether people are eligible for advocacy.
home-intro-advocate = You support the people on your caseload.
home-intro-commissioner = You see anonymised figures for the contracts you fund. You never see who anyone is.
tile-audit-description = See who looked at or changed records, when and why.
tile-users-description = Add staff, and disable accounts of people who have left.
tile-tokens-description = Issue and revoke tokens that let other systems use the Advocase API.
tile-calendars-description = Add bank holidays to the calendars used for statutory deadlines.
tile-settings-description = Change your password and sign out on other devices.
tile-api-description = The machine-readable description of the Advocase API.
tile-api-title = API documentation

## Your account
settings-heading = Your account
change-password-heading = Change your password
current-password-label = Current password
new-password-label = New password
new-password-hint = At least 12 characters. A few unrelated words make a strong password that is easy to remember.
confirm-password-label = Type the new password again
change-password-button = Change password
password-changed = Your password has been changed. You have been signed out on every device, including this one, so sign in again.
current-password-wrong = Your current password is not right
passwords-differ = The two new passwords are different. Type the same password in both boxes.
sign-out-everywhere-heading = Sign out on every device
sign-out-everywhere-intro = If you have lost a phone or laptop, or used a shared computer, sign out everywhere. You will need to sign in again here too.
sign-out-everywhere-button = Sign out everywhere

## Audit trail
audit-heading = Audit trail
audit-intro = Every time someone reads or changes personal data, Advocase notes who, what, when, from where and why. Search the trail of your organisation here. Your search is noted too.
audit-action-label = What was done
audit-any-action = Anything
audit-record-type-label = Kind of record
audit-record-id-label = Record number
audit-user-label = Staff account number
audit-user-hint = The number of the account that acted
audit-from-label = From
audit-to-label = To
audit-none = Nothing matches your search.
audit-results = Entries, newest first
audit-col-number = Number
audit-col-when = When (UTC)
audit-col-who = Who
audit-col-action = What
audit-col-record = Record
audit-col-from = From
audit-col-reason = Why
audit-older = Show older entries
audit-nobody = Nobody signed in
audit-number-invalid = Enter a whole number, like 42
audit-date-invalid = Enter a real date, like 2026-03-27
audit-dates-order = The "from" date must be on or before the "to" date

## Staff accounts
users-heading = Staff accounts
users-table-caption = Everyone with an account in your organisation
add-user-heading = Add a member of staff
add-user-button = Add account
user-created = Account added
user-created-link-intro = Give this link to the new member of staff, in person or by a secure route. It works once, for 7 days, and lets them choose a password and set up two-step sign-in.
disable-user-button = Disable { $name }
user-disabled = The account has been disabled. Its sessions and API tokens have ended.
status-active = Active
status-disabled = Disabled
status-invited = Invited
role-invalid = Choose a role

## API tokens
tokens-heading = API tokens
tokens-intro = A token lets another system use the Advocase API as one staff account, with that account's access. Each token is shown once, when issued. Revoke a token when it is no longer needed.
tokens-none = No tokens have been issued.
tokens-table-caption = Tokens issued in your organisation
token-name-label = What the token is for
token-name-hint = For example, "monthly figures script"
token-account-label = Account the token acts as
issue-token-heading = Issue a token
issue-token-button = Issue token
token-issued = Copy this token now. It will not be shown again.
revoke-token-button = Revoke { $name }
token-revoked = The token has been revoked.
account-invalid = Choose an account

## Bank holidays
calendars-heading = Bank holidays
calendars-intro = Statutory deadlines, such as introducing an advocate within 3 working days, skip weekends and bank holidays. Advocase ships the bank holidays of each UK nation. Add a day here when a new one is announced.
calendars-shipped = { $summary }
calendars-added-caption = Days added for { $nation }
calendars-add-heading = Add a bank holiday
calendars-add-button = Add bank holiday
calendar-added = The bank holiday has been added.
nation-label = Nation
holiday-name-label = Name of the bank holiday
nation-invalid = Choose a nation

## Set up
setup-heading = Set up Advocase
setup-intro = Create the first administrator account. You will then set up two-step sign-in and can add the rest of your staff.
setup-organisation-label = Name of your advocacy organisation
set-password-heading = Choose your password
set-password-intro = Choose a password for your Advocase account. Next, you will set up two-step sign-in.
link-expired-heading = This link has expired or was already used
link-expired-message = Ask your Advocase administrator for a new link.
