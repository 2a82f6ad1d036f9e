#!/usr/bin/perl
# Writes the small MaxMind DB files the geo/ unit tests read:
#   test-city.mmdb      GeoIP2-City shape (continent, country, subdivisions, city, location), IPv6 tree
#   test-country.mmdb   GeoIP2-Country shape (no location): exercises the country-centroid fallback
#   test-v4only.mmdb    GeoIP2-Country shape in an IPv4-only tree (ip_version 4): no "netmask - 96"
#
# The data is synthetic: the networks are documentation, benchmarking and
# shared-address ranges (RFC 5737, RFC 2544, RFC 6598, RFC 3849) given made-up
# owners. Coordinates are those of the named cities, rounded.
#
# Usage: perl make_test_mmdb.pl [OUTPUT_DIR]   (default: this script's directory)
# Needs MaxMind::DB::Writer::Tree (Debian: libmaxmind-db-writer-perl).
use strict;
use warnings;

use File::Basename qw(dirname);
use MaxMind::DB::Writer::Tree;

my $out_dir = shift // dirname(__FILE__);

my %types = (
    accuracy_radius    => 'uint16',
    city               => 'map',
    code               => 'utf8_string',
    continent          => 'map',
    country            => 'map',
    en                 => 'utf8_string',
    geoname_id         => 'uint32',
    iso_code           => 'utf8_string',
    latitude           => 'double',
    location           => 'map',
    longitude          => 'double',
    names              => 'map',
    registered_country => 'map',
    subdivisions       => [ 'array', 'map' ],
    time_zone          => 'utf8_string',
);

my %continent_names = (
    AF => 'Africa', AN => 'Antarctica', AS => 'Asia', EU => 'Europe',
    NA => 'North America', OC => 'Oceania', SA => 'South America',
);

# [network, continent, country, subdivision, city, latitude, longitude]
# Order matters: with merge_strategy "none" the last insert wins where
# networks overlap, so each more specific network comes after its parent.
my @networks = (
    # IPv4
    [ '192.0.2.0/24',     'EU', 'NO', '54', 'Tromso',        69.6496,  18.9560 ],
    [ '198.51.100.0/24',  'OC', 'AU', 'NSW', 'Sydney',      -33.8688, 151.2093 ],
    [ '203.0.113.0/24',   'AS', 'JP', '13', 'Tokyo',         35.6895, 139.6917 ],
    [ '198.18.0.0/16',    'NA', 'US', 'CA', 'San Francisco', 37.7749, -122.4194 ],
    [ '198.18.7.0/24',    'NA', 'CA', 'BC', 'Vancouver',     49.2827, -123.1207 ],
    [ '100.64.0.0/16',    'SA', 'BR', 'SP', 'Sao Paulo',    -23.5505, -46.6333 ],
    [ '100.65.0.0/16',    'AF', 'ZA', 'GT', 'Johannesburg', -26.2041,  28.0473 ],
    [ '100.66.0.0/16',    'EU', 'DE', 'HE', 'Frankfurt',     50.1109,   8.6821 ],
    [ '100.67.0.0/16',    'EU', 'IS', '1', 'Reykjavik',      64.1466, -21.9426 ],
    [ '100.68.0.0/16',    'AS', 'SG', undef, 'Singapore',     1.2897, 103.8501 ],
    [ '100.69.0.0/16',    'NA', 'US', 'NY', 'New York',      40.7128, -74.0060 ],
    [ '100.70.0.0/16',    'EU', 'FI', '19', 'Oulu',          65.0121,  25.4651 ],
    # A country-level record without a location (the City DB has some): the
    # reader must fall back to the country centroid.
    [ '100.71.0.0/16',    'EU', 'FR', undef, undef, undef, undef ],
    # A continent-only record (MaxMind uses these for e.g. "Europe" blocks).
    [ '100.72.0.0/16',    'EU', undef, undef, undef, undef, undef ],
    # IPv6
    [ '2001:db8:100::/48', 'EU', 'NO', '54', 'Tromso',        69.6496,  18.9560 ],
    [ '2001:db8:200::/48', 'OC', 'AU', 'NSW', 'Sydney',      -33.8688, 151.2093 ],
    [ '2001:db8:300::/48', 'NA', 'US', 'CA', 'San Francisco', 37.7749, -122.4194 ],
    [ '2001:db8:300:5::/64', 'NA', 'CA', 'BC', 'Vancouver',   49.2827, -123.1207 ],
    [ '2001:db8:400::/48', 'AS', 'JP', '13', 'Tokyo',         35.6895, 139.6917 ],
    [ '2001:db8:500::/48', 'SA', 'BR', 'SP', 'Sao Paulo',    -23.5505, -46.6333 ],
    [ '2001:db8:600::/48', 'AF', 'ZA', 'GT', 'Johannesburg', -26.2041,  28.0473 ],
);

sub record {
    my ( $with_location, $continent, $country, $subdivision, $city, $lat, $lon ) = @_;
    my %r = (
        continent => { code => $continent, names => { en => $continent_names{$continent} } },
    );
    if ( defined $country ) {
        $r{country}            = { iso_code => $country, names => { en => $country } };
        $r{registered_country} = { iso_code => $country, names => { en => $country } };
    }
    return \%r unless $with_location;
    $r{subdivisions} = [ { iso_code => $subdivision, names => { en => $subdivision } } ]
        if defined $subdivision;
    $r{city} = { names => { en => $city } } if defined $city;
    $r{location} = { latitude => $lat, longitude => $lon, accuracy_radius => 50 } if defined $lat;
    return \%r;
}

sub write_db {
    my ( $file, $type, $ip_version, $with_location ) = @_;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version            => $ip_version,
        record_size           => 28,
        database_type         => $type,
        languages             => ['en'],
        description           => { en => "gslb synthetic test data ($type)" },
        map_key_type_callback => sub { $types{ $_[0] } },
        merge_strategy        => 'none',
        # ::ffff:0:0/96 and 2002::/16 lead to the IPv4 data under ::/96, as in
        # MaxMind's own databases.
        alias_ipv6_to_ipv4       => ( $ip_version == 6 ? 1 : 0 ),
        # Our networks are documentation ranges, which the writer drops by default.
        remove_reserved_networks => 0,
    );
    for my $n (@networks) {
        my ( $network, @fields ) = @$n;
        next if $ip_version == 4 && $network =~ /:/;
        $tree->insert_network( $network, record( $with_location, @fields ) );
    }
    open my $fh, '>:raw', "$out_dir/$file" or die "$out_dir/$file: $!";
    $tree->write_tree($fh);
    close $fh or die "$out_dir/$file: $!";
}

write_db( 'test-city.mmdb',    'GeoIP2-City',    6, 1 );
write_db( 'test-country.mmdb', 'GeoIP2-Country', 6, 0 );
write_db( 'test-v4only.mmdb',  'GeoIP2-Country', 4, 0 );
