#!/usr/bin/perl
# Verifies the DKIM signatures of a message with Perl Mail::DKIM, an
# implementation independent of Herald's. DNS answers come from a JSON file
# ({"name": "TXT value"}), so nothing leaves the machine.
# Usage: dkim_verify.pl MESSAGE_FILE RECORDS_JSON
# Prints one line per signature: "RESULT DOMAIN SELECTOR ALGORITHM DETAIL".
use strict;
use warnings;
use JSON::PP;
use Net::DNS;
use Mail::DKIM::Verifier;

my ($message_file, $records_file) = @ARGV;
open my $rf, '<', $records_file or die "cannot read $records_file: $!";
my $records = decode_json(do { local $/; <$rf> });

{
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ($name, $type) = @_;
        $name = lc $name;
        $name =~ s/\.$//;
        my $value = $records->{$name};
        if ($type ne 'TXT' || !defined $value) {
            $@ = 'NXDOMAIN';
            return ();
        }
        my @parts = unpack('(A255)*', $value);
        my $rr = Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => [@parts]);
        return ($rr);
    };
}

open my $mf, '<:raw', $message_file or die "cannot read $message_file: $!";
my $dkim = Mail::DKIM::Verifier->new();
while (my $line = <$mf>) {
    $dkim->PRINT($line);
}
$dkim->CLOSE;
for my $sig ($dkim->signatures) {
    printf "%s %s %s %s %s\n", $sig->result, $sig->domain, $sig->selector, $sig->algorithm,
        ($sig->result_detail // '');
}
