// The tables as both backends' migrations create them.

diesel::table! {
    app_settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    staff_accounts (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        state -> Text,
        staff_id -> Nullable<BigInt>,
        expires_at -> Timestamp,
        constituent_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    constituents (id) {
        id -> BigInt,
        first_name -> Text,
        last_name -> Text,
        first_key -> Text,
        last_key -> Text,
        email -> Nullable<Text>,
        is_parent -> Bool,
        is_student -> Bool,
        is_staff -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    phone_numbers (id) {
        id -> BigInt,
        constituent_id -> BigInt,
        slot -> Integer,
        e164 -> Text,
        extension -> Nullable<Text>,
        label -> Text,
        kind -> Text,
        last_four -> Text,
    }
}

diesel::table! {
    portal_codes (id) {
        id -> Text,
        constituent_id -> BigInt,
        e164 -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        wrong_tries -> Integer,
        used_at -> Nullable<Timestamp>,
        send_failed -> Bool,
    }
}

diesel::table! {
    portal_failures (e164) {
        e164 -> Text,
        consecutive -> Integer,
        paused_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor_username -> Text,
        action -> Text,
        constituent_id -> Nullable<BigInt>,
        constituent_name -> Nullable<Text>,
        staff_id -> Nullable<BigInt>,
        staff_username -> Nullable<Text>,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        username -> Text,
        address -> Text,
        failed_at -> Timestamp,
    }
}

diesel::joinable!(phone_numbers -> constituents (constituent_id));
diesel::joinable!(sessions -> staff_accounts (staff_id));
diesel::joinable!(portal_codes -> constituents (constituent_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_settings,
    staff_accounts,
    sessions,
    constituents,
    phone_numbers,
    portal_codes,
    portal_failures,
    audit_events,
    sign_in_failures,
);
