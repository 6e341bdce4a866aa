-- PII policy: the store_raw_contacts setting gates keep_pii; rejected rows are masked with internal keys.
--@replace-function src/model/settings.sql recon.setting_defaults
--@replace-function src/model/settings.sql recon.validate_setting
--@replace-function src/load/framework.sql recon.load_check_options
--@replace-function src/load/framework.sql recon.load_mask_value
--@replace-function src/load/framework.sql recon.load_mask_raw
COMMENT ON TABLE recon.load_rejects IS
    'Every row a load did not write: the file, its line (CSV: the line the record starts on; JSON: the row''s position), rejected (did not read or broke a rule) or skipped (totals, footers, empty rows), the reasons (code: field and value) and the raw row. Personal data in raw is masked (recon.load_mask_value: sha256, or HMAC under the internal-key pepper, of the value as written) unless the load kept PII.';
