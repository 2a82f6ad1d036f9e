#!/usr/bin/perl
# Writes the GeoIP2-City-shaped database the GSLB benchmark (bench/gslb/run.sh)
# gives to every server: gslb, gdnsd's geoip plugin and PowerDNS (LUA
# pickclosest through its geoip backend).
#
# The data is synthetic and describes no real allocation: every IPv4 /16 from
# 1.0.0.0 to 223.255.0.0 is given one of 48 cities on six continents (a fixed
# hash of the /16), and in every fourth /16 four /24s are given other cities,
# so the tree holds about 110,000 networks of two prefix lengths, nested the
# way MaxMind's are. A few IPv6 /32s are added so the tree is a real IPv6 one,
# and the benchmark's five `geo` answer addresses get their regions' places.
# Records carry what the three servers read: continent/code, country/iso_code,
# registered_country, location/latitude+longitude, and the location/
# accuracy_radius + metro_code that PowerDNS's reader insists on.
#
# Usage: perl make_bench_mmdb.pl OUTPUT.mmdb
# Needs MaxMind::DB::Writer::Tree (Debian: libmaxmind-db-writer-perl).
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: $0 OUTPUT.mmdb\n";

my %types = (
    accuracy_radius    => 'uint16',
    code               => 'utf8_string',
    continent          => 'map',
    country            => 'map',
    en                 => 'utf8_string',
    iso_code           => 'utf8_string',
    latitude           => 'double',
    location           => 'map',
    longitude          => 'double',
    metro_code         => 'uint16',
    names              => 'map',
    registered_country => 'map',
    city               => 'map',
);

# [continent, country, city, latitude, longitude]
my @cities = (
    [ 'NA', 'US', 'New York',      40.71,  -74.01 ], [ 'NA', 'US', 'Ashburn',      39.04,  -77.49 ],
    [ 'NA', 'US', 'Chicago',       41.88,  -87.63 ], [ 'NA', 'US', 'Dallas',       32.78,  -96.80 ],
    [ 'NA', 'US', 'San Francisco', 37.77, -122.42 ], [ 'NA', 'US', 'Seattle',      47.61, -122.33 ],
    [ 'NA', 'CA', 'Toronto',       43.65,  -79.38 ], [ 'NA', 'CA', 'Vancouver',    49.28, -123.12 ],
    [ 'NA', 'MX', 'Mexico City',   19.43,  -99.13 ], [ 'NA', 'US', 'Miami',        25.76,  -80.19 ],
    [ 'EU', 'IE', 'Dublin',        53.35,   -6.26 ], [ 'EU', 'GB', 'London',       51.51,   -0.13 ],
    [ 'EU', 'DE', 'Frankfurt',     50.11,    8.68 ], [ 'EU', 'FR', 'Paris',        48.86,    2.35 ],
    [ 'EU', 'NL', 'Amsterdam',     52.37,    4.90 ], [ 'EU', 'SE', 'Stockholm',    59.33,   18.07 ],
    [ 'EU', 'NO', 'Tromso',        69.65,   18.96 ], [ 'EU', 'ES', 'Madrid',       40.42,   -3.70 ],
    [ 'EU', 'IT', 'Milan',         45.46,    9.19 ], [ 'EU', 'PL', 'Warsaw',       52.23,   21.01 ],
    [ 'EU', 'FI', 'Helsinki',      60.17,   24.94 ], [ 'EU', 'RU', 'Moscow',       55.76,   37.62 ],
    [ 'AS', 'SG', 'Singapore',      1.29,  103.85 ], [ 'AS', 'JP', 'Tokyo',        35.69,  139.69 ],
    [ 'AS', 'JP', 'Osaka',         34.69,  135.50 ], [ 'AS', 'KR', 'Seoul',        37.57,  126.98 ],
    [ 'AS', 'IN', 'Mumbai',        19.08,   72.88 ], [ 'AS', 'IN', 'Bangalore',    12.97,   77.59 ],
    [ 'AS', 'HK', 'Hong Kong',     22.32,  114.17 ], [ 'AS', 'ID', 'Jakarta',      -6.21,  106.85 ],
    [ 'AS', 'AE', 'Dubai',         25.20,   55.27 ], [ 'AS', 'TW', 'Taipei',       25.03,  121.57 ],
    [ 'OC', 'AU', 'Sydney',       -33.87,  151.21 ], [ 'OC', 'AU', 'Perth',       -31.95,  115.86 ],
    [ 'OC', 'NZ', 'Auckland',     -36.85,  174.76 ], [ 'OC', 'AU', 'Melbourne',   -37.81,  144.96 ],
    [ 'SA', 'BR', 'Sao Paulo',    -23.55,  -46.63 ], [ 'SA', 'AR', 'Buenos Aires', -34.60, -58.38 ],
    [ 'SA', 'CL', 'Santiago',     -33.45,  -70.67 ], [ 'SA', 'CO', 'Bogota',        4.71,  -74.07 ],
    [ 'SA', 'PE', 'Lima',         -12.05,  -77.04 ], [ 'SA', 'BR', 'Fortaleza',    -3.73,  -38.53 ],
    [ 'AF', 'ZA', 'Johannesburg', -26.20,   28.05 ], [ 'AF', 'ZA', 'Cape Town',   -33.92,   18.42 ],
    [ 'AF', 'NG', 'Lagos',          6.52,    3.38 ], [ 'AF', 'KE', 'Nairobi',      -1.29,   36.82 ],
    [ 'AF', 'EG', 'Cairo',         30.04,   31.24 ], [ 'AF', 'MA', 'Casablanca',   33.57,   -7.59 ],
);

my %continent_names = (
    AF => 'Africa', AS => 'Asia', EU => 'Europe', NA => 'North America', OC => 'Oceania', SA => 'South America',
);

my @records = map {
    my ( $continent, $country, $city, $lat, $lon ) = @$_;
    {
        continent          => { code     => $continent, names => { en => $continent_names{$continent} } },
        country            => { iso_code => $country,   names => { en => $country } },
        registered_country => { iso_code => $country,   names => { en => $country } },
        city               => { names    => { en => $city } },
        location => { latitude => $lat, longitude => $lon, accuracy_radius => 100, metro_code => 0 },
    }
} @cities;

# A fixed, well-spread hash (Knuth's multiplicative) so the file is the same every run.
sub pick { my ($x) = @_; return ( ( $x * 2654435761 ) % 4294967296 ) % scalar(@records); }

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => 'GeoIP2-City',
    languages                => ['en'],
    description              => { en => 'gslb synthetic benchmark data (GeoIP2-City shape)' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    merge_strategy           => 'none',
    alias_ipv6_to_ipv4       => 1,
    remove_reserved_networks => 0,
);
my $count = 0;
for my $a ( 1 .. 223 ) {
    next if $a == 127;    # loopback: the benchmark's own packet sources stay unlocated
    for my $b ( 0 .. 255 ) {
        $tree->insert_network( "$a.$b.0.0/16", $records[ pick( $a * 256 + $b ) ] );
        ++$count;
        next if $b % 4;
        for my $c ( 0, 64, 128, 192 ) {    # more specific networks after their parent
            $tree->insert_network( "$a.$b.$c.0/24", $records[ pick( ( $a * 256 + $b ) * 256 + $c + 7 ) ] );
            ++$count;
        }
    }
}
# PowerDNS's pickclosest() locates the candidate answer addresses through the
# same database (it has no coordinates of its own), so the five `geo` members
# get /32s at their regions' coordinates, the ones gslb and gdnsd are given in
# their configs.
my @members = (
    [ '192.0.2.1', 'NA', 'US', 'Ashburn',   39.04,  -77.49 ],
    [ '192.0.2.2', 'NA', 'US', 'San Jose',  37.34, -121.89 ],
    [ '192.0.2.3', 'EU', 'IE', 'Dublin',    53.34,   -6.25 ],
    [ '192.0.2.4', 'AS', 'SG', 'Singapore',  1.29,  103.85 ],
    [ '192.0.2.5', 'SA', 'BR', 'Sao Paulo', -23.55, -46.63 ],
);
for my $m (@members) {
    my ( $address, $continent, $country, $city, $lat, $lon ) = @$m;
    $tree->insert_network(
        "$address/32",
        {
            continent          => { code     => $continent, names => { en => $continent_names{$continent} } },
            country            => { iso_code => $country,   names => { en => $country } },
            registered_country => { iso_code => $country,   names => { en => $country } },
            city               => { names    => { en => $city } },
            location => { latitude => $lat, longitude => $lon, accuracy_radius => 1, metro_code => 0 },
        }
    );
    ++$count;
}
for my $i ( 0 .. 47 ) {
    $tree->insert_network( sprintf( '2a%02x::/32', $i ), $records[$i] );
    ++$count;
}
open my $fh, '>:raw', $out or die "$out: $!";
$tree->write_tree($fh);
close $fh or die "$out: $!";
print STDERR "$out: $count networks\n";
