# The English (UK) text of every message a field error can carry, and of the names of
# fields those messages mention. Each key here is declared once in crates/i18n/src/msg.rs
# or label.rs with the values its text uses; a test keeps the two lists the same.
# Plain English, as on the pages: say what to do, name the field, no blame.

## Any form
email-invalid = Enter an email address in the correct format, like name@example.org
email-missing = Enter an email address
time-invalid = Enter a real time, like 14:30
minutes-missing = Enter how long it took, in minutes
time-missing = Enter the time, like 14:30
minutes-zero = The time taken must be at least 1 minute
minutes-over-a-day = The time taken must be a day (1440 minutes) or less
minutes-not-whole = The time taken must be a whole number of minutes, like 45
received-on-future = The date received must be today or in the past
date-future = The date must be today or in the past
enter = Enter { $label }
text-too-long = { CAPITALISE($label) } must be { $max } characters or fewer
date-not-real = { CAPITALISE($label) } must be a real date, like 27 3 2026
date-in-future = { CAPITALISE($label) } cannot be in the future
months-out-of-range = { CAPITALISE($label) } must be a whole number of months from { $min } to { $max }
number-not-whole = Enter { $label } as a whole number, like 12
number-out-of-range = Enter { $label } from 0 to { $max }
pounds-invalid = Enter { $label } in pounds, like 125000
password-too-short = Password must be at least { $min } characters
password-too-long = Password must be { $max } characters or fewer

## Accounts, sign-in and administration
sign-in-failed = Enter a correct email address and password. After { $attempts } wrong attempts in a row, the account is locked for { $minutes } minutes.
sign-in-password-missing = Enter your password
two-factor-wrong = Enter the 6-digit code your authenticator app shows now. Each code works once.
sign-in-code-missing = Enter the code from the email we sent you
sign-in-code-malformed = Enter the code as { $digits } numbers, like 123456
sign-in-code-wrong = Enter the code from the newest email we sent you. A code works once, for { $minutes } minutes. After { $attempts } wrong attempts in a row, the account is locked for { $lockout } minutes.
current-password-wrong = Your current password is not right
passwords-differ = The two new passwords are different. Type the same password in both boxes.
audit-number-invalid = Enter a whole number, like 42
audit-date-invalid = Enter a real date, like 2026-03-27
audit-action-invalid = Choose what was done from the list
audit-dates-order = The "from" date must be on or before the "to" date
role-invalid = Choose a role
account-invalid = Choose an account
nation-invalid = Choose a nation
account-email-taken = An account with this email address already exists
account-person-has-sign-in = This person already has their own sign-in
account-role-invalid-for-organisation = Choose a role for this organisation
api-body-not-utf8 = The request body must be UTF-8 text.
calendar-day-already-added = That day is already in this calendar
account-role-wrong-organisation = { $role ->
        [administrator] An administrator
        [manager] A manager
        [intake_worker] An intake worker
        [advocate] An advocate
        [commissioner] A commissioner
       *[person] A person using the service
    } cannot belong to { $kind ->
        [provider] a provider
       *[commissioner] a commissioner
    } organisation
calendar-day-invalid = "{ $text }" is not a valid date: { $problem ->
        [year] the year is out of range
        [month] the month must be between 01 and 12
        [day] that day does not exist in that month
       *[shape] write dates as YYYY-MM-DD, for example 2025-12-23
    }

## Referrals
ref-provider-invalid = Choose the advocacy service to send the referral to
easy-given-name-invalid = Tell us your first name
easy-family-name-invalid = Tell us your last name
easy-what-invalid = Tell us what is happening
easy-help-invalid = Tell us if you want an advocate
easy-help-no-invalid = You said you do not want an advocate. If you want one, choose Yes.
easy-contact-invalid = Tell us one way to contact you: a phone number, an email address or an address
ref-decision-invalid = Choose accept or decline for { $duty }
ref-disagree-reason-invalid = Give a reason for disagreeing with the suggestion on { $duty }
ref-decline-reason-invalid = Give the reason for declining the referral
ref-person-invalid = Choose one of the people listed, or a new person record
ref-reason-too-long = The reason must be 5,000 characters or fewer
ref-status-invalid = Choose what to do with the referral
ref-status-reason-invalid = Give the reason for the change
referral-compulsion-date-future = The date detention began must be today or in the past
referral-consent-missing = Say whether the person agrees to this referral
referral-consent-note-missing = Explain why the person has not agreed, or could not agree, to the referral
referral-date-of-birth-future = Date of birth must be today or in the past
referral-already-decided = This referral has already been decided
referral-difficulty-missing = Choose the areas the person has substantial difficulty with
referral-meeting-date-past = The meeting date must be today or in the future
referral-postcode-invalid = Enter a real postcode, like SW1A 1AA
referral-preferred-contact-missing = Choose how the person prefers to be contacted
referral-provider-invalid = Choose an advocacy service
referral-referrer-contact-missing = Enter an email address or a phone number, so we can contact you
referral-referrer-kind-missing = Choose who is making the referral
referral-referrer-name-missing = Enter your name, so we can contact you about the referral
referral-status-change-invalid = A referral in this state cannot be changed that way

## Casework
allocate-choose = Choose an advocate from the list
issue-process-invalid = Choose which process this is about
outcome-invalid = Choose whether it was achieved
work-kind-invalid = Choose what it is
work-done-future = The date it was done cannot be in the future
challenge-raised-future = The date it was raised cannot be in the future
challenge-step-invalid = Choose how it was raised
step-date-future = The date cannot be in the future
step-concluded-invalid = Say whether the challenge has ended
conflict-choose-advocate = Choose an advocate
conflict-kind-invalid = Choose what the conflict is
advocate-capacity-invalid = The caseload limit must be a whole number from 1 to 200
advocate-duties-invalid = Choose duties from the list
advocate-gender-invalid = Choose from the list
conflict-already-recorded = A conflict of interest is already recorded for this advocate and person
allocation-case-closed = This case is closed
contact-approach-missing = Choose the non-instructed approach you used, because the person could not instruct you
case-reopen-not-closed = Only a closed case can be re-opened
case-reopen-already-reopened = This case has already been re-opened
case-closed-reopen-first = This case is closed: re-open it to record more
contact-could-instruct-missing = Say whether the person could instruct you at this contact
contact-date-future = The contact cannot be in the future
contact-date-missing = Enter the date of the contact
closure-handed-over-to-missing = Enter who the person was handed over to (an appropriate individual, the same advocate, or the new area's advocacy provider)
contact-mode-missing = Choose how the contact happened
allocation-override-reason-missing = You chose someone other than the first suggestion: say why
closure-reason-missing = Choose why the case is closing
reallocation-reason-missing = Say why the case is moving to another advocate
closure-self-advocacy-missing = Say whether the person is now more able to speak up for themselves
challenge-already-concluded = This challenge has already concluded
challenge-step-before-raised = A step cannot come before the challenge was raised
person-gender-preference-invalid = Choose a preference from the list
person-preferred-contact-missing = Choose how the person likes to be contacted
closure-open-tasks = This case still has { $count } open { $count ->
         [one] task
        *[other] tasks
    }: say why it is closing anyway
allocation-conflict = { $advocate } cannot be allocated: they have a conflict of interest ({ $conflict ->
         [knows_personally] knows this person personally
         [related] is related to this person
         [provides_care] provides this person's care
        *[vested_interest] has a vested interest
    }). Choose another advocate
allocation-rule-not-met = { $advocate } does not meet the qualification rule for this kind of advocacy: unit { $unit } is { $has ->
         [not_started] not started
         [working_towards] only in progress
        *[achieved] achieved
    }. Choose another advocate
allocation-duty-not-set-up = { $advocate } is not set up to work under this duty. Choose another advocate
allocation-already-holds = { $advocate } already holds this case
case-reopen-too-late = This case closed more than { $days } days ago: make a new referral instead

## Confidentiality and the records lifecycle
share-scope-invalid = Choose what you want to share
breach-case-invalid = Choose one of this person's cases, or none
retention-choose = Choose at least one person
retention-confirm-needed = Confirm that the records can be destroyed for good
answer-corrected-invalid = Say whether you corrected the record
subject-access-answered-before-received = The date answered must be on or after the date the request was received
consent-basis-missing = Choose the lawful basis for sharing
break-glass-case-number-invalid = Enter the case number, like 1234, as it appears on letters and lists
break-glass-case-not-found = There is no case with that number that you can open. Check the number, or ask a manager
breach-decided-on-future = The date of the decision must be today or in the past
view-reason-detail-missing = Say why you are opening this record
consent-given-how-missing = Choose how the person gave their consent
consent-given-on-future = The date given must be today or in the past
breach-ground-missing = Choose why confidentiality was broken
restriction-named-invalid = Choose people from the list
breach-not-told-why-missing = Say why the person was not told
breach-person-told-missing = Say whether the person was told
view-reason-missing = Choose why you are opening this record
subject-access-requested-by-missing = Choose who asked for the records
consent-scope-missing = Choose what may be shared
consent-valid-until-before-given = The end date must be on or after the date it was given

## Workforce
qualification-achieved-on-missing = Enter the date they achieved it
qualification-achieved-before-started = The date they achieved it cannot be before the date they started
equality-answer-invalid = Choose an answer from the list
training-date-missing = Enter the date
staff-employment-invalid = Choose how they work for you from the list
staff-group-supervision-missing = Enter how often group supervision is due, in months
training-kind-invalid = Choose the kind of training from the list
supervision-kind-invalid = Choose the kind of meeting from the list
rule-minimum-missing = Choose whether the units must be achieved or only started
staff-roles-invalid = Choose kinds of advocacy from the list
qualification-status-missing = Choose how far they are with it
staff-supervision-missing = Enter how often supervision is due, in months
supervisor-invalid = Choose a supervisor from the list
supervisor-not-themselves-invalid = Choose a supervisor from the list, other than the person themselves
supervision-supervisor-missing = Choose who supervised, or enter the name of an external supervisor
supervision-supervisor-notes-confidential = Only the person supervised or their supervisor can change who supervised, because the notes are confidential to them
supervisor-not-themselves = Someone cannot supervise themselves: choose another supervisor
qualification-title-missing = Enter the name of the qualification
training-title-missing = Enter the name of the course or event
qualification-unit-invalid = Choose the qualification from the list
rule-units-invalid = Choose units from the list
qualification-already-recorded = This qualification is already recorded: change it instead
qualification-relied-on = Cases allocated to this advocate rely on this qualification (case { $cases }). Confirm the change to go ahead

## Safeguarding, complaints, feedback and signals
concern-breach-invalid = Choose a breach of confidentiality about this person
complain-provider-invalid = Choose the advocacy service it is about
signal-kind-invalid = Choose what kind of place it is
signal-theme-invalid = Choose what the concerns are about
feedback-provider-invalid = Choose the advocacy service that helped you
complaint-acknowledged-before-received = The date acknowledged cannot be before the date the complaint was received
concern-adult-name-missing = Enter the name of the adult at risk
feedback-anonymous-missing = Say whether you want to give your name
concern-breach-other-person = Choose a breach of confidentiality about the same person
concern-category-missing = Choose the kind of abuse or neglect
concern-closed-on-future = The date closed must be today or in the past
concern-closed-before-raised = The date closed must be on or after the date the concern was raised
signal-concerns-missing = Choose the concerns to signal
feedback-duty-missing = Choose the kind of help you had, or not sure
feedback-filled-in-missing = Say whether you filled this in on your own or with help
complaint-finding-missing = Choose what the investigation found
complaint-finding-before-response = Choose what the investigation found before recording the response
complaint-how-to-reply-missing = Tell us how we can reply: a phone number, email or address
concern-immediate-risk-missing = Say whether the person is at risk now
complaint-kind-missing = Choose whether you want to complain or say thank you
concern-council-date-missing = Enter the date the council was told, to go with its reference
feedback-name-missing = Enter your name, or choose not to give it
concern-outcome-missing = Enter the outcome
concern-raised-on-future = The date raised must be today or in the past
complaint-response-before-received = The response cannot be sent before the complaint was received
signal-sent-on-future = The date sent must be today or in the past
service-concern-severity-missing = Choose how serious it is
complaint-stage-missing = Choose the stage of the complaint
complaint-support-before-received = The date support was offered cannot be before the date the complaint was received
signal-date-before-sent = The date cannot be before the signal was sent
concern-date-before-raised = The date must be on or after the date the concern was raised
service-concern-theme-missing = Choose what the concern is about
feedback-listened-missing = Choose a face for: did your advocate listen to you?
feedback-understood-missing = Choose a face for: did you understand what your advocate told you?
feedback-speak-up-missing = Choose a face for: did your advocate help you speak up?
feedback-overall-missing = Choose a face for: how do you feel about the help you got?

## Contracts, reports and demand
contract-areas-missing = Enter the local authority areas the contract covers, separated by commas
contract-commissioner-missing = Choose the commissioner who funds the contract
contract-duties-missing = Choose at least one kind of advocacy the contract covers
contract-ends-before-start = The contract must end on or after the day it starts
contract-target-share-invalid = Enter { $label } as a share from 0 to 100, or leave it empty for no target
demand-share-invalid = Enter { $label } as a share from 0 to 100, like 60
population-file-missing = Choose a CSV file of population figures
population-file-empty = The file you chose is empty: choose a CSV file with a header row and a row for each area
population-file-unreadable = The file could not be read: try again
population-file-no-figures = The file has no figures below its first line
population-file-not-csv = The file is not a CSV file
population-file-headers = The first line must be the column names: area,year,adults,assessments
report-period-invalid = Choose a reporting period from the list
report-period-not-the-contracts = Reports cover the contract's own reporting periods only: choose one from the list
report-period-not-finished-or-own = Reports cover the contract's own finished periods only: choose one from the list
link-meeting-date-future = The meeting date must be today or in the past
contract-reporting-missing = Choose how often the contract is reported on
contract-target-feedback-invalid = Enter an average answer from 1 to 5, like 4.2, or leave it empty for no target
contract-threshold-invalid = Enter the largest count not shown, from 2 to 20
contract-term-published = This cannot be changed now that the contract's reports have been counted: old and new figures set side by side could give away a count the reports hid. Record a new contract for new terms
contract-commissioner-published = The commissioner cannot be changed now that the contract's reports have been counted: they were made for this commissioner. Record a new contract for a new commissioner
contract-threshold-published = The largest count not shown cannot be lowered now that the contract's reports have been counted: it would show counts they hid. It can be raised
contract-urgent-longer = The working days to first contact for urgent referrals must be no more than for other referrals
contract-imha-target-without-imha = Leave the target for IMHA introductions empty, or choose IMHA among the kinds of advocacy: this contract does not cover IMHA
report-period-ends-before-start = The period must end on or after the day it starts
report-period-not-ended = This period has not ended yet: reports cover finished periods only
population-line-unreadable = Line { $line } cannot be read as CSV
population-line-columns = Line { $line } has { $columns } columns; it needs 4: area, year, adults, assessments
population-line-area-missing = Line { $line }, column area: enter the area's name
population-line-number-invalid = Line { $line }, column { $column }: "{ $value }" is not a whole number from 0 to { $max }
population-line-year-too-early = Line { $line }, column year: enter a year from 2000
population-line-more-assessments = Line { $line }, column assessments: there are more assessments than adults; check the two columns are not swapped
population-line-duplicate = Line { $line }, column area: this area and year are already on line { $first }
population-line-area-unknown = Line { $line }, column area: "{ $area }" is not an area of any contract you fund; write it as the contract does

## Self-assessment and the policies register
assessment-date-future = The date of the assessment cannot be in the future
assessment-date-missing = Enter the date of the assessment
assessment-policies-invalid = Choose policies from the register
policy-kind-invalid = Choose which policy or procedure this is from the list
policy-kind-missing = Choose which policy or procedure this is
policy-kind-already-registered = This policy is already in the register: change it there instead
policy-owner-invalid = Choose the owner from the list
policy-owner-missing = Choose who owns this policy, or type the name of its owner
policy-owner-both = Choose a member of staff or type a name for the owner, not both
policy-review-due-missing = Enter the date of the next review
policy-review-due-before-last-review = The next review date cannot be before the last review
policy-title-missing = Enter the name of the policy or procedure
assessment-rating-missing = Choose green, amber or red for { $title }
assessment-rating-invalid = Choose green, amber or red for { $title } from the list
assessment-strengths-missing = Enter the key strengths for { $title }, which you scored green
assessment-actions-missing = Enter the actions for { $title }, which you scored { $rating ->
         [amber] amber
        *[red] red
    }
assessment-links-invalid = Links to figures for { $title } must be pages of Advocase starting with /, like /quality
assessment-page-unknown = { $page } is not a page of figures that can be given as evidence for { $title }. Copy the address from the page, like /quality or /contracts/1/report
assessment-links-too-many = Link to { $max } pages of figures or fewer for { $title }
assessment-cases-invalid = Enter the case numbers sampled for { $title } as numbers separated by commas, like 12, 40
assessment-cases-too-many = Sample { $max } case files or fewer for { $title }
assessment-case-not-seen = There is no case { $case } that you can see: check the case number

## Documents
document-missing = Choose a file to add
document-unreadable = The file could not be read. Try again
document-too-large = The file must be 10 MB or smaller
document-wrong-kind = The file must be a PDF, a PNG or a JPEG picture
document-name-too-long = The file needs a name of 200 characters or fewer

## The eligibility request
eligibility-trailing-text = The request has extra text after the end of the JSON object, at line { $line }, column { $column }.
eligibility-not-json = The request is not valid JSON: there is a mistake at line { $line }, column { $column }.
eligibility-incomplete = The request is not complete JSON: it ends before it should.
eligibility-unknown-field-at-top = { $field } is not a question this check asks; check the spelling. The answers allowed at the top of the request are: { $allowed }.
eligibility-unknown-field-in = { $field } is not a question this check asks; check the spelling. The answers allowed in { $parent } are: { $allowed }.
eligibility-given-twice = { $field } is given more than once; give each answer once.
eligibility-not-asked = { $field } is not a question this check asks.
eligibility-not-an-object = The request must be a JSON object with any of these sections: { $sections }.
eligibility-group = { $field } must be a group of answers ({ $fields }), or null if { $null_means }.
eligibility-null-means-not-known = not known
eligibility-null-means-no-placement = no NHS-funded placement is being considered
eligibility-null-means-no-disagreement = the authority and the appropriate individual do not disagree
eligibility-true-or-false = { $field } must be true or false, or null if not known.
eligibility-text = { $field } must be text, such as "daughter", or null if not known.
eligibility-choice = { $field } must be one of: { $values }; or null if not known.
eligibility-section = { $field } must be a section of the Mental Health Act 1983 written as text, one of: { $sections }; or null if not known.
eligibility-weeks-negative = { $field } must not be negative.
eligibility-weeks = { $field } must be a number of weeks, such as 6 or 4.5, or null if not known.
eligibility-list = { $field } must be a list of the people who might support the person ([] when it is known there is nobody), or null if not known.

## The names of fields, as the messages above mention them
label-a-name = a name
label-action = the action
label-actions-for = the actions for { $title }
label-address = the address
label-areas = the areas
label-availability = the availability
label-cases-the-core-funding-covers-a-year = the cases the core funding covers a year
label-closing-note = the closing note
label-communication-needs = the communication needs
label-contracts-name = the contract's name
label-core-funding-a-year = the core funding a year
label-councils-reference = the council's reference
label-date = the date
label-date-a-response-is-due = the date a response is due
label-date-consent-was-given-or-the-basis-recorded = the date consent was given or the basis recorded
label-date-detention-began = the date detention began
label-date-independent-support-was-offered = the date independent support was offered
label-date-it-is-due = the date it is due
label-date-it-was-acknowledged = the date it was acknowledged
label-date-it-was-approved = the date it was approved
label-date-it-was-done = the date it was done
label-date-it-was-raised = the date it was raised
label-date-it-was-received = the date it was received
label-date-of-birth = date of birth
label-date-of-the-appraisal = the date of the appraisal
label-date-of-the-assessment = the date of the assessment
label-date-of-the-contact = the date of the contact
label-date-of-the-last-review = the date of the last review
label-date-of-the-meeting = the date of the meeting
label-date-of-the-supervision = the date of the supervision
label-date-of-this-step = the date of this step
label-date-the-concern-was-closed = the date the concern was closed
label-date-the-concern-was-raised = the date the concern was raised
label-date-the-contract-ends = the date the contract ends
label-date-the-contract-starts = the date the contract starts
label-date-the-council-was-told = the date the council was told
label-date-the-decision-was-made = the date the decision was made
label-date-the-police-were-told = the date the police were told
label-date-the-regulator-was-told = the date the regulator was told
label-date-the-request-was-received = the date the request was received
label-date-the-response-was-sent = the date the response was sent
label-date-the-signal-was-sent = the date the signal was sent
label-date-they-achieved-it = the date they achieved it
label-date-they-started = the date they started
label-date-you-saw-or-heard-it = the date you saw or heard it
label-deadline = the deadline
label-decision-being-challenged = the decision being challenged
label-email-address = the email address
label-end-date = the end date
label-evidence-for = the evidence for { $title }
label-external-supervisors-name = the external supervisor's name
label-final-result = the final result
label-first-day-of-the-period = the first day of the period
label-how-often-group-supervision-is-due = how often group supervision is due
label-how-often-supervision-is-due = how often supervision is due
label-how-we-can-reply = how we can reply
label-issue-in-the-persons-words = the issue in the person's words
label-key-strengths-for = the key strengths for { $title }
label-language = the language
label-languages = the languages
label-largest-count-not-shown = the largest count not shown
label-last-day-of-the-period = the last day of the period
label-lessons-learned = the lessons learned
label-local-authority = the local authority
label-meeting-date = the meeting date
label-more-about-why = more about why
label-name = the name
label-name-of-the-adult-at-risk = the name of the adult at risk
label-name-of-the-bank-holiday = the name of the bank holiday
label-name-of-the-qualification = the name of the qualification
label-name-of-the-ward-care-home-or-team = the name of the ward, care home or team
label-name-of-your-organisation = the name of your organisation
label-next-review-date = the next review date
label-note = the note
label-notes = the notes
label-outcome = the outcome
label-owners-name = the owner's name
label-payment-for-each-case-above-that = the payment for each case above that
label-target-for-imha-introductions = the target for IMHA introductions
label-target-for-first-contact = the target for first contact
label-target-for-referrals-declined = the target for referrals declined
label-target-for-outcomes-achieved = the target for outcomes achieved
label-share-assessed-with-substantial-difficulty = the share of people assessed with substantial difficulty
label-share-with-nobody-appropriate = the share with nobody appropriate to support them
label-persons-email-address = the person's email address
label-persons-first-name = the person's first name
label-persons-last-name = the person's last name
label-persons-phone-number = the person's phone number
label-persons-view = the person's view
label-phone-number = the phone number
label-place = the place
label-reason-for-closing-with-open-tasks = the reason for closing with open tasks
label-reply = the reply
label-reply-date = the reply date
label-risks-to-a-visiting-advocate = the risks to a visiting advocate
label-safeguarding-concerns = the safeguarding concerns
label-start-date = the start date
label-time-allowed-after-joining = the time allowed after joining
label-time-until-renewal = the time until renewal
label-what-else-you-want-to-say = what else you want to say
label-what-happened-or-what-you-saw = what happened or what you saw
label-what-is-happening-and-what-help-is-needed = what is happening and what help is needed
label-what-is-wrong = what is wrong
label-what-it-is = what it is
label-what-it-should-say = what it should say
label-what-the-person-wants-to-happen = what the person wants to happen
label-what-the-person-will-be-told = what the person will be told
label-what-the-token-is-for = what the token is for
label-what-was-agreed = what was agreed
label-what-was-discussed = what was discussed
label-what-you-saw-or-heard = what you saw or heard
label-what-you-want-to-tell-us = what you want to tell us
label-where-it-is-kept = where it is kept
label-where-the-evidence-is-kept = where the evidence is kept
label-who-it-may-be-shared-with = who it may be shared with
label-who-made-the-decision = who made the decision
label-who-offered-support = who offered support
label-who-the-case-was-handed-over-to = who the case was handed over to
label-who-was-there = who was there
label-who-was-told = who was told
label-who-will-do-it = who will do it
label-who-you-want-to-share-it-with = who you want to share it with
label-why = why
label-why-the-information-was-shared = why the information was shared
label-why-the-person-was-not-told = why the person was not told
label-why-the-records-must-be-kept = why the records must be kept
label-why-you-need-this-case-now = why you need this case now
label-working-days-to-first-contact-for-other-referrals = the working days to first contact for other referrals
label-working-days-to-first-contact-for-urgent-referrals = the working days to first contact for urgent referrals
label-your-availability = your availability
label-your-email-address = your email address
label-your-name = your name
label-your-organisation = your organisation
label-your-phone-number = your phone number
label-your-relationship-to-the-person = your relationship to the person
label-your-role = your role
