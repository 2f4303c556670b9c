1; % a script file (Octave): run by bench/linear.bench.ts, BENCH_PART=malsar
% MALSAR 1.1 (Zhou, Chen & Ye) as the peer of issue 17: one MALSAR solver on one problem, timed in
% CPU seconds (cputime) around the solver call only, after an untimed 2-iteration warm-up call that
% loads and parses MALSAR's .m files; the median of BENCH_MALSAR_REPEATS calls (default 1, at most ~10 CPU s). Nothing of MALSAR is copied here: its checkout is given by
% path (MALSAR_DIR) and only called.
%
%   octave-cli -q bench/peers/malsar.m MALSAR_DIR DATA OUT CASE TOL MAXITER P1 [P2 [P3]]
%
% DATA: float64 little-endian  T, then per task  n, d, X (n × d, row-major), y (n).
% CASE: l21 | lasso | trace | tgl | dirty | logl21 | cmtl, with MALSAR's own parameters:
%   l21, lasso, trace: rho1;  tgl: rho1 rho2 rho3;  dirty: lambda1 lambda2;  logl21: rho1;
%   cmtl: rho1 rho2 k.
% OUT: float64 W (d × T, column-major), then the intercepts C (1 × T, zeros unless logl21), then for
% dirty P and Q (d × T each). Prints one JSON line: CPU seconds (median), runs, iterations (length of funcVal),
% MALSAR's last funcVal (in MALSAR's own scaling; the bench recomputes the objective itself).
% Options as MALSAR's examples: opts.init = 2 (start at W = 0, as polytask), opts.tFlag = 1 (stop
% when the relative change of the objective between iterations is <= TOL), opts.maxIter = MAXITER.

args = argv();
malsar_dir = args{1};
data_file = args{2};
out_file = args{3};
which_case = args{4};
tol = str2double(args{5});
max_iter = str2double(args{6});
p = cellfun(@str2double, args(7:end));

addpath(genpath(fullfile(malsar_dir, 'MALSAR')));
% Several MALSAR folders define helpers of the same name with different signatures (diagonalize.m,
% bsa_ihb.m): put the case's own folder first on the path.
folders = struct('l21', 'joint_feature_learning', 'logl21', 'joint_feature_learning', 'lasso', 'Lasso', ...
                 'trace', 'low_rank', 'tgl', fullfile('progression_model', 'TGL'), 'dirty', 'dirty', 'cmtl', 'CMTL');
addpath(fullfile(malsar_dir, 'MALSAR', 'functions', folders.(which_case)));

fid = fopen(data_file, 'r', 'ieee-le');
T = fread(fid, 1, 'double');
X = cell(T, 1);
Y = cell(T, 1);
for t = 1:T
  n = fread(fid, 1, 'double');
  d = fread(fid, 1, 'double');
  X{t} = reshape(fread(fid, n * d, 'double'), d, n)';
  Y{t} = fread(fid, n, 'double');
end
fclose(fid);

function [W, C, P, Q, fv] = run_case(which_case, X, Y, p, opts)
  T = numel(X);
  d = size(X{1}, 2);
  C = zeros(1, T);
  P = [];
  Q = [];
  switch which_case
    case 'l21'
      [W, fv] = Least_L21(X, Y, p(1), opts);
    case 'lasso'
      [W, fv] = Least_Lasso(X, Y, p(1), opts);
    case 'trace'
      [W, fv] = Least_Trace(X, Y, p(1), opts);
    case 'tgl'
      [W, fv] = Least_TGL(X, Y, p(1), p(2), p(3), opts);
    case 'dirty'
      [W, fv, P, Q] = Least_Dirty(X, Y, p(1), p(2), opts);
    case 'logl21'
      [W, C, fv] = Logistic_L21(X, Y, p(1), opts);
    case 'cmtl'
      [W, fv] = Least_CMTL(X, Y, p(1), p(2), p(3), opts);
    otherwise
      error('malsar.m: unknown case %s', which_case);
  end
end

opts = struct('init', 2, 'tFlag', 1, 'tol', tol, 'maxIter', 2);
run_case(which_case, X, Y, p, opts); % warm-up: parse and load the .m files (and the mex for dirty)
opts.maxIter = max_iter;
% BENCH_MALSAR_REPEATS timed calls (default 1), stopping early once 10 CPU seconds are spent; the median
% is reported, as polytask's side reports the median of its repeats.
reps = str2double(getenv('BENCH_MALSAR_REPEATS'));
if isnan(reps) || reps < 1
  reps = 1;
end
times = [];
for r = 1:reps
  t0 = cputime();
  [W, C, P, Q, fv] = run_case(which_case, X, Y, p, opts);
  times(end + 1) = cputime() - t0;
  if sum(times) > 10
    break;
  end
end
seconds = median(times);

fid = fopen(out_file, 'w', 'ieee-le');
fwrite(fid, W(:), 'double');
fwrite(fid, C(:), 'double');
if strcmp(which_case, 'dirty')
  fwrite(fid, P(:), 'double');
  fwrite(fid, Q(:), 'double');
end
fclose(fid);
printf('{"seconds":%.6f,"runs":%d,"iterations":%d,"funcVal":%.17g,"octave":"%s"}\n', seconds, numel(times), numel(fv), fv(end), OCTAVE_VERSION);
