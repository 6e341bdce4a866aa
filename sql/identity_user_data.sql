-- identity_user_data: platform-ready customer data from raw columns (src/identity/user_data.sql).

-- Meta Conversions API user_data: hashed keys as one-element arrays, cookies, IP and user agent as sent.
SELECT key, value
FROM jsonb_each(recon_meta_user_data(
    email => ' John_Smith@Gmail.com', phone => '(650) 555-1212', first_name => 'Mary', last_name => 'Smith',
    city => 'New York', state => 'NY', zip => '10001-1234', country => 'United States',
    date_of_birth => '2/16/1997', gender => 'F', external_id => 'CRM-42', client_ip_address => ' 203.0.113.7 ',
    client_user_agent => 'Mozilla/5.0', fbc => 'fb.1.1700000000000.IwAR2F4', fbp => 'fb.1.1700000000000.123456789',
    lead_id => '1234567890'))
ORDER BY key COLLATE "C";

-- Each hashed key is recon_hash_identifier of the field, so the published vectors hold here too.
SELECT recon_meta_user_data(email => 'John_Smith@gmail.com') -> 'em' ->> 0 = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f' AS em_vector,
       recon_meta_user_data(phone => '(650)555-1212', country => 'US') -> 'ph' ->> 0 = 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176' AS ph_vector,
       recon_meta_user_data(phone => '(650)555-1212', default_region => 'us') -> 'ph' ->> 0 = 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176' AS ph_by_default_region;

-- Unusable and missing values are left out, never sent as the hash of ''; nothing at all gives {}.
SELECT recon_meta_user_data(email => 'not an email', phone => '', first_name => '1234', gender => 'x',
                            fbc => '  ', country => 'Atlantis') AS all_unusable,
       recon_meta_user_data() AS nothing;

-- Google Enhanced Conversions userIdentifiers: email, phone (E.164 with +), and an address only
-- with all four of first name, last name, country and postal code (the last two in clear).
SELECT jsonb_pretty(recon_google_user_data(email => 'Cloudy.SanFrancisco+shopping@gmail.com', phone => '(800)555-0100',
    first_name => 'Dr. Jane', last_name => 'Doe Jr.', country => 'USA', zip => '94045-1234'));
SELECT recon_google_user_data(first_name => 'Jane', last_name => 'Doe', country => 'US') AS no_postal_code_no_address,
       recon_google_user_data(email => 'not an email', phone => 'n/a') AS nothing_usable;
SELECT (recon_google_user_data(phone => '07911 123456', country => 'United Kingdom') -> 'userIdentifiers' -> 0 ->> 'hashedPhoneNumber')
       = recon_sha256_hex('+447911123456') AS uk_national_number_by_country;
