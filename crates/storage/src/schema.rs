//! The Diesel schema, one for both backends: the migrations of each backend create
//! tables that match these declarations exactly.

diesel::table! {
    organisations (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        totp_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
        failed_sign_ins -> Integer,
        two_factor_failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        is_demo -> Bool,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    one_time_links (token_hash) {
        token_hash -> Text,
        purpose -> Text,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        two_factor_passed -> Bool,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_entries (id) {
        id -> BigInt,
        sequence -> BigInt,
        at -> Text,
        actor_user_id -> Nullable<BigInt>,
        organisation_id -> Nullable<BigInt>,
        action -> Text,
        record_type -> Text,
        record_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        reason -> Nullable<Text>,
        content_hash -> Text,
        chain_hash -> Text,
        content_destroyed -> Bool,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        sequence -> BigInt,
        chain_hash -> Text,
    }
}

diesel::table! {
    retention_checks (provider_id) {
        provider_id -> BigInt,
        checked_at -> Timestamp,
        people_due -> BigInt,
        people_held -> BigInt,
    }
}

diesel::table! {
    documents (stored_as) {
        stored_as -> Text,
        key_id -> Text,
        sealed -> Binary,
    }
}

diesel::table! {
    report_snapshots (contract_id, period_from, period_to) {
        contract_id -> BigInt,
        period_from -> Date,
        period_to -> Date,
        version -> Integer,
        facts -> Text,
        counted_at -> Timestamp,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        last_finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    calendar_days (nation, day) {
        nation -> Text,
        day -> Date,
        name -> Text,
        added_by -> Nullable<BigInt>,
        added_at -> Timestamp,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    people (id) {
        id -> BigInt,
        provider_id -> BigInt,
        given_name -> Text,
        family_name -> Text,
        date_of_birth -> Nullable<Date>,
        postcode -> Nullable<Text>,
        name_key -> Text,
        postcode_key -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        local_authority -> Nullable<Text>,
        placed_out_of_area -> Bool,
        is_prisoner -> Bool,
        language -> Nullable<Text>,
        needs_interpreter -> Bool,
        uses_bsl -> Bool,
        wants_easy_read -> Bool,
        preferred_contact -> Nullable<Text>,
        created_at -> Timestamp,
        version -> BigInt,
        gender_preference -> Nullable<Text>,
        communication_needs -> Nullable<Text>,
        restricted -> Bool,
    }
}

diesel::table! {
    referrals (id) {
        id -> BigInt,
        provider_id -> BigInt,
        reference -> Text,
        status_token_hash -> Text,
        source -> Text,
        referrer_kind -> Text,
        referrer_name -> Nullable<Text>,
        referrer_organisation -> Nullable<Text>,
        referrer_role -> Nullable<Text>,
        referrer_email -> Nullable<Text>,
        referrer_phone -> Nullable<Text>,
        referrer_relationship -> Nullable<Text>,
        given_name -> Text,
        family_name -> Text,
        date_of_birth -> Nullable<Date>,
        postcode -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        local_authority -> Nullable<Text>,
        placed_out_of_area -> Bool,
        is_prisoner -> Bool,
        language -> Nullable<Text>,
        needs_interpreter -> Bool,
        uses_bsl -> Bool,
        wants_easy_read -> Bool,
        preferred_contact -> Nullable<Text>,
        what_is_happening -> Text,
        meeting_date -> Nullable<Date>,
        deadline_date -> Nullable<Date>,
        compulsion_date -> Nullable<Date>,
        safeguarding_concerns -> Nullable<Text>,
        risk_to_visitor -> Nullable<Text>,
        consent -> Text,
        consent_note -> Nullable<Text>,
        eligibility_answers -> Text,
        status -> Text,
        status_reason -> Nullable<Text>,
        person_id -> Nullable<BigInt>,
        received_at -> Timestamp,
        created_by -> Nullable<BigInt>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    referral_decisions (referral_id, duty) {
        referral_id -> BigInt,
        duty -> Text,
        suggested -> Text,
        decision -> Text,
        disagreement_reason -> Nullable<Text>,
        decided_by -> BigInt,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    cases (id) {
        id -> BigInt,
        provider_id -> BigInt,
        person_id -> BigInt,
        referral_id -> BigInt,
        duty -> Text,
        status -> Text,
        opened_at -> Timestamp,
        introduction_due -> Nullable<Date>,
        version -> BigInt,
        advocate_id -> Nullable<BigInt>,
        allocated_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<BigInt>,
        closure_reason -> Nullable<Text>,
        handed_over_to -> Nullable<Text>,
        self_advocacy -> Nullable<Text>,
        closure_note -> Nullable<Text>,
        open_tasks_reason -> Nullable<Text>,
        reopens_case_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    advocate_settings (user_id) {
        user_id -> BigInt,
        duties -> Text,
        areas -> Text,
        languages -> Text,
        gender -> Nullable<Text>,
        capacity -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    conflicts (id) {
        id -> BigInt,
        provider_id -> BigInt,
        advocate_id -> BigInt,
        person_id -> BigInt,
        kind -> Text,
        note -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    allocations (id) {
        id -> BigInt,
        case_id -> BigInt,
        advocate_id -> BigInt,
        allocated_by -> BigInt,
        allocated_at -> Timestamp,
        reason -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        case_id -> BigInt,
        occurred_at -> Timestamp,
        mode -> Text,
        duration_minutes -> Integer,
        present -> Nullable<Text>,
        discussed -> Text,
        agreed -> Nullable<Text>,
        could_instruct -> Bool,
        approach -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    case_issues (id) {
        id -> BigInt,
        case_id -> BigInt,
        in_their_words -> Text,
        process -> Text,
        outcome -> Nullable<Text>,
        outcome_in_their_words -> Nullable<Text>,
        outcome_recorded_at -> Nullable<Timestamp>,
        created_by -> BigInt,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    case_work (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        description -> Text,
        due_on -> Nullable<Date>,
        done_on -> Nullable<Date>,
        response_due -> Nullable<Date>,
        response_received_on -> Nullable<Date>,
        response -> Nullable<Text>,
        minutes -> Nullable<Integer>,
        created_by -> BigInt,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    challenges (id) {
        id -> BigInt,
        case_id -> BigInt,
        decision -> Text,
        decision_maker -> Text,
        raised_on -> Date,
        reply_due -> Nullable<Date>,
        concluded_on -> Nullable<Date>,
        result -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    challenge_steps (id) {
        id -> BigInt,
        challenge_id -> BigInt,
        step -> Text,
        taken_on -> Date,
        outcome -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    restricted_access (person_id, user_id) {
        person_id -> BigInt,
        user_id -> BigInt,
        granted_by -> BigInt,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    case_view_reasons (id) {
        id -> BigInt,
        case_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        detail -> Nullable<Text>,
        given_at -> Timestamp,
    }
}

diesel::table! {
    break_glass (id) {
        id -> BigInt,
        provider_id -> BigInt,
        case_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        opened_at -> Timestamp,
        expires_at -> Timestamp,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consents (id) {
        id -> BigInt,
        provider_id -> BigInt,
        person_id -> BigInt,
        scope -> Text,
        recipient -> Text,
        basis -> Text,
        given_how -> Nullable<Text>,
        given_on -> Date,
        valid_until -> Nullable<Date>,
        note -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        withdrawn_on -> Nullable<Date>,
        withdrawn_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    confidentiality_breaches (id) {
        id -> BigInt,
        provider_id -> BigInt,
        person_id -> BigInt,
        case_id -> Nullable<BigInt>,
        decided_on -> Date,
        ground -> Text,
        why -> Text,
        decided_by -> Text,
        who_was_told -> Text,
        person_told -> Bool,
        not_told_why -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    subject_access_requests (id) {
        id -> BigInt,
        provider_id -> BigInt,
        person_id -> BigInt,
        received_on -> Date,
        due_on -> Date,
        requested_by -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        answered_on -> Nullable<Date>,
        answered_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    legal_holds (person_id) {
        person_id -> BigInt,
        reason -> Text,
        placed_by -> BigInt,
        placed_at -> Timestamp,
    }
}

diesel::table! {
    destructions (id) {
        id -> BigInt,
        provider_id -> BigInt,
        destroyed_at -> Timestamp,
        approved_by -> BigInt,
        record_class -> Text,
        former_id -> BigInt,
        counts -> Text,
    }
}

diesel::table! {
    person_accounts (user_id) {
        user_id -> BigInt,
        person_id -> BigInt,
        invited_by -> BigInt,
        invited_at -> Timestamp,
    }
}

diesel::table! {
    rectification_requests (id) {
        id -> BigInt,
        provider_id -> BigInt,
        person_id -> BigInt,
        asked_at -> Timestamp,
        what_is_wrong -> Text,
        should_say -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<BigInt>,
        corrected -> Nullable<Bool>,
        answer -> Nullable<Text>,
    }
}

diesel::table! {
    staff_profiles (user_id) {
        user_id -> BigInt,
        started_on -> Nullable<Date>,
        employment -> Nullable<Text>,
        roles -> Text,
        availability -> Nullable<Text>,
        supervision_months -> Integer,
        supervisor_id -> Nullable<BigInt>,
        version -> BigInt,
        group_supervision_months -> Integer,
    }
}

diesel::table! {
    qualifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        unit -> Text,
        title -> Text,
        status -> Text,
        started_on -> Nullable<Date>,
        achieved_on -> Nullable<Date>,
        evidence -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    qualification_evidence (id) {
        id -> BigInt,
        qualification_id -> BigInt,
        file_name -> Text,
        kind -> Text,
        size_bytes -> BigInt,
        stored_as -> Text,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    allocation_rules (provider_id, duty) {
        provider_id -> BigInt,
        duty -> Text,
        units -> Text,
        minimum -> Text,
        grace_months -> Integer,
        set_by -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::table! {
    training_records (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        title -> Nullable<Text>,
        completed_on -> Date,
        renew_months -> Nullable<Integer>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    supervisions (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        held_on -> Date,
        supervisor_id -> Nullable<BigInt>,
        external_supervisor -> Nullable<Text>,
        notes -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    equality_answers (id) {
        id -> BigInt,
        provider_id -> BigInt,
        user_id -> Nullable<BigInt>,
        person_id -> Nullable<BigInt>,
        characteristic -> Text,
        answer -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        provider_id -> BigInt,
        case_id -> BigInt,
        file_name -> Text,
        kind -> Text,
        size_bytes -> BigInt,
        stored_as -> Text,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    safeguarding_concerns (id) {
        id -> BigInt,
        provider_id -> BigInt,
        case_id -> Nullable<BigInt>,
        person_id -> Nullable<BigInt>,
        adult_name -> Nullable<Text>,
        raised_by -> BigInt,
        raised_on -> Date,
        category -> Text,
        what_happened -> Text,
        person_wants -> Text,
        immediate_risk -> Bool,
        breach_id -> Nullable<BigInt>,
        local_authority_on -> Nullable<Date>,
        local_authority_reference -> Nullable<Text>,
        police_on -> Nullable<Date>,
        regulator_on -> Nullable<Date>,
        outcome -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        closed_by -> Nullable<BigInt>,
        touched_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    complaints (id) {
        id -> BigInt,
        provider_id -> BigInt,
        kind -> Text,
        source -> Text,
        received_on -> Date,
        complainant_name -> Text,
        how_to_reply -> Nullable<Text>,
        what_happened -> Text,
        person_id -> Nullable<BigInt>,
        recorded_by -> Nullable<BigInt>,
        stage -> Text,
        acknowledge_by -> Date,
        respond_by -> Date,
        acknowledged_on -> Nullable<Date>,
        support_offered_on -> Nullable<Date>,
        support_note -> Nullable<Text>,
        finding -> Nullable<Text>,
        response_sent_on -> Nullable<Date>,
        lessons -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    feedback_responses (id) {
        id -> BigInt,
        provider_id -> BigInt,
        submitted_on -> Date,
        duty -> Nullable<Text>,
        filled_in -> Text,
        easy_read -> Bool,
        name -> Nullable<Text>,
        listened -> Integer,
        understood -> Integer,
        speak_up -> Integer,
        overall -> Integer,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    service_signals (id) {
        id -> BigInt,
        provider_id -> BigInt,
        place -> Text,
        place_kind -> Text,
        theme -> Text,
        basis -> Text,
        concern_count -> Integer,
        sent_on -> Date,
        response_due -> Date,
        response_received_on -> Nullable<Date>,
        regulator_on -> Nullable<Date>,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_concerns (id) {
        id -> BigInt,
        provider_id -> BigInt,
        case_id -> BigInt,
        place -> Text,
        place_key -> Text,
        place_kind -> Text,
        theme -> Text,
        severity -> Text,
        noted_on -> Date,
        detail -> Text,
        signal_id -> Nullable<BigInt>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    policies (id) {
        id -> BigInt,
        provider_id -> BigInt,
        kind -> Text,
        title -> Nullable<Text>,
        owner_id -> Nullable<BigInt>,
        owner_name -> Nullable<Text>,
        approved_on -> Nullable<Date>,
        last_reviewed_on -> Nullable<Date>,
        review_due_on -> Date,
        location -> Nullable<Text>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    self_assessments (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        framework -> Text,
        assessed_on -> Date,
        completed_by -> BigInt,
        recorded_at -> Timestamp,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    self_assessment_items (assessment_id, item) {
        assessment_id -> BigInt,
        item -> Text,
        rating -> Text,
        strengths -> Nullable<Text>,
        actions -> Nullable<Text>,
        evidence -> Nullable<Text>,
    }
}

diesel::table! {
    self_assessment_links (id) {
        id -> BigInt,
        assessment_id -> BigInt,
        item -> Text,
        policy_id -> Nullable<BigInt>,
        page -> Nullable<Text>,
        case_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(cases -> people (person_id));
diesel::joinable!(cases -> referrals (referral_id));
diesel::joinable!(referral_decisions -> referrals (referral_id));
diesel::joinable!(conflicts -> people (person_id));
diesel::joinable!(advocate_settings -> users (user_id));
diesel::table! {
    contracts (id) {
        id -> BigInt,
        provider_id -> BigInt,
        commissioner_id -> BigInt,
        name -> Text,
        duties -> Text,
        areas -> Text,
        starts_on -> Date,
        ends_on -> Date,
        core_funding_pence -> BigInt,
        core_cases -> BigInt,
        payment_per_case_pence -> BigInt,
        reporting -> Text,
        threshold -> BigInt,
        urgent_days -> BigInt,
        standard_days -> BigInt,
        target_imha_introduction -> Nullable<BigInt>,
        target_first_contact -> Nullable<BigInt>,
        target_declined -> Nullable<BigInt>,
        target_outcomes_achieved -> Nullable<BigInt>,
        target_feedback -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    link_meetings (id) {
        id -> BigInt,
        contract_id -> BigInt,
        held_on -> Date,
        attendees -> Text,
        discussed -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    meeting_actions (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        action -> Text,
        owner -> Text,
        due_on -> Nullable<Date>,
        done_on -> Nullable<Date>,
    }
}

diesel::table! {
    population_figures (id) {
        id -> BigInt,
        commissioner_id -> BigInt,
        area -> Text,
        year -> Integer,
        adults -> BigInt,
        assessments -> BigInt,
        imported_by -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    demand_rates (commissioner_id) {
        commissioner_id -> BigInt,
        difficulty_permille -> BigInt,
        no_individual_permille -> BigInt,
        set_by -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::joinable!(allocations -> cases (case_id));
diesel::joinable!(contacts -> cases (case_id));
diesel::joinable!(case_issues -> cases (case_id));
diesel::joinable!(case_work -> cases (case_id));
diesel::joinable!(challenges -> cases (case_id));
diesel::joinable!(challenge_steps -> challenges (challenge_id));
diesel::joinable!(consents -> people (person_id));
diesel::joinable!(break_glass -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    users,
    one_time_links,
    sessions,
    api_tokens,
    audit_entries,
    audit_head,
    job_leases,
    calendar_days,
    people,
    referrals,
    referral_decisions,
    cases,
    advocate_settings,
    conflicts,
    allocations,
    contacts,
    case_issues,
    case_work,
    challenges,
    challenge_steps,
    restricted_access,
    case_view_reasons,
    break_glass,
    consents,
    confidentiality_breaches,
    subject_access_requests,
    legal_holds,
    destructions,
    person_accounts,
    rectification_requests,
    staff_profiles,
    qualifications,
    qualification_evidence,
    allocation_rules,
    training_records,
    supervisions,
    equality_answers,
    attachments,
    safeguarding_concerns,
    complaints,
    feedback_responses,
    service_signals,
    service_concerns,
    contracts,
    link_meetings,
    meeting_actions,
    population_figures,
    demand_rates,
    policies,
    self_assessments,
    self_assessment_items,
    self_assessment_links,
    retention_checks,
    documents,
    report_snapshots,
);
