#!/usr/bin/perl
# Writes a MaxMind DB (.mmdb) from a small JSON spec, with MaxMind's own writer
# (Debian: apt-get install libmaxmind-db-writer-perl).
#
#   perl write-mmdb.pl SPEC.json OUT.mmdb
#
# Spec:
#   {
#     "database_type": "GeoIP2-City",          # or "GeoIP2-Country", "GeoLite2-City", ...
#     "description": "what this file is",       # optional
#     "networks": [
#       { "network": "192.0.2.0/24", "country": "DE", "country_name": "Germany",
#         "continent": "EU", "city": "Frankfurt am Main",
#         "latitude": 50.11, "longitude": 8.68 },
#       { "network": "2001:db8:a::/48", "country": "JP", "city": "Tokyo", ... },
#       { "network": "10.9.0.0/16", "record": { "autonomous_system_number": 64500 } }
#     ]
#   }
# For a *-Country database type the city and coordinates are left out of the records, as in
# MaxMind's Country files. "record" writes its map as given (for unsupported types in tests).
# The tree is IPv6 with IPv4 mapped in (::a.b.c.d), as in MaxMind's own files; reserved
# networks are kept so documentation ranges (TEST-NET, 2001:db8::/32) can be used.
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

@ARGV == 2 or die "usage: $0 SPEC.json OUT.mmdb\n";
my ($spec_path, $out_path) = @ARGV;

open(my $in, '<:raw', $spec_path) or die "cannot read spec $spec_path: $!\n";
my $spec = JSON::PP->new->utf8->decode(do { local $/; <$in> });
close $in;

my $type = $spec->{database_type} // 'GeoIP2-City';
my $is_country = $type =~ /Country/;

my %types = (
    city                     => 'map',
    continent                => 'map',
    country                  => 'map',
    registered_country       => 'map',
    location                 => 'map',
    names                    => 'map',
    code                     => 'utf8_string',
    iso_code                 => 'utf8_string',
    en                       => 'utf8_string',
    latitude                 => 'double',
    longitude                => 'double',
    accuracy_radius          => 'uint16',
    time_zone                => 'utf8_string',
    geoname_id               => 'uint32',
    autonomous_system_number => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => $type,
    languages                => ['en'],
    description              => { en => ($spec->{description} // "Segment Relay test database ($type)") },
    remove_reserved_networks => 0,
    alias_ipv6_to_ipv4       => 1,
    map_key_type_callback    => sub {
        my $key = shift;
        return $types{$key} // die "write-mmdb: no MMDB type known for key '$key' (add it to %types)\n";
    },
);

my $n = 0;
for my $entry (@{ $spec->{networks} // [] }) {
    my $network = $entry->{network} // die "write-mmdb: an entry has no \"network\"\n";
    my $record;
    if ($entry->{record}) {
        $record = $entry->{record};
    } else {
        my $cc = $entry->{country} // die "write-mmdb: $network has no \"country\" (ISO 3166-1 alpha-2)\n";
        my $country = { iso_code => $cc, names => { en => ($entry->{country_name} // $cc) } };
        $record = { country => $country, registered_country => $country };
        $record->{continent} = { code => $entry->{continent}, names => { en => $entry->{continent} } }
            if defined $entry->{continent};
        if (!$is_country) {
            $record->{city} = { names => { en => $entry->{city} } } if defined $entry->{city};
            if (defined $entry->{latitude} && defined $entry->{longitude}) {
                $record->{location} = {
                    latitude        => 0.0 + $entry->{latitude},
                    longitude       => 0.0 + $entry->{longitude},
                    accuracy_radius => $entry->{accuracy_radius} // 20,
                };
            }
        }
    }
    $tree->insert_network($network, $record);
    $n++;
}

open(my $out, '>:raw', $out_path) or die "cannot write $out_path: $!\n";
$tree->write_tree($out);
close $out or die "cannot write $out_path: $!\n";
print STDERR "wrote $out_path: $type, $n networks\n";
