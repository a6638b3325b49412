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

diesel::joinable!(phone_numbers -> constituents (constituent_id));
diesel::joinable!(sessions -> staff_accounts (staff_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_settings,
    staff_accounts,
    sessions,
    constituents,
    phone_numbers,
);
