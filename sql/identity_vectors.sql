-- identity_vectors: every verified vector of platform-rules.md, through recon_hash_identifier.
-- Each row carries the published SHA-256; the query shows whether recon gives exactly it.
CREATE TEMP TABLE vectors (source text, field text, platform text, country text, input text, published_sha256 text);
INSERT INTO vectors VALUES
 ('Meta em', 'em', 'meta', NULL, 'John_Smith@gmail.com', '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'),
 ('Meta fn', 'fn', 'meta', NULL, 'Mary', '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec'),
 ('Meta fn', 'fn', 'meta', NULL, '정', '8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14'),
 ('Meta ln', 'ln', 'meta', NULL, 'Valéry', '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c'),
 ('Meta db', 'db', 'meta', NULL, '2/16/1997', '01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c'),
 ('Meta ct', 'ct', 'meta', NULL, 'New York', '350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5'),
 ('Meta st', 'st', 'meta', 'US', 'CA', '6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126'),
 ('Meta zp', 'zp', 'meta', 'US', '94035-1234', '1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e'),
 ('Meta zp', 'zp', 'meta', 'GB', 'M1 1AE', '1dc694c2070e697769fb959b50671d76cafd430d8ca191fbdd0affcaea344ac5'),
 ('Meta country', 'country', 'meta', NULL, 'United States', '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621'),
 ('Snap em', 'em', 'snap', NULL, 'Person@Example.com', '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345'),
 ('Google email', 'email', 'google', NULL, 'cloudy.sanfrancisco+shopping@gmail.com', '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4'),
 ('Google email', 'email', 'google', NULL, 'user.name+NYC@Example.com', 'f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac'),
 ('Meta ph', 'ph', 'meta', 'US', '(650)555-1212', 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176'),
 ('Google phone', 'phone', 'google', 'US', '(800)555-0100', 'fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30'),
 ('Google phone', 'phone', 'google', 'US', '(650)555-1212', '1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8'),
 ('Snap ph', 'ph', 'snap', NULL, '+44 844 412 4653', 'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383');

SELECT source, input, recon_hash_identifier(input, field, platform, country) = published_sha256 AS matches_published
FROM vectors ORDER BY source COLLATE "C", input COLLATE "C";
SELECT count(*) AS vectors, count(*) FILTER (WHERE recon_hash_identifier(input, field, platform, country) = published_sha256) AS passing
FROM vectors;
