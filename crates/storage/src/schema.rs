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
);
