-- 地图: where a project is (an optional import column pair, 经度 / 纬度, in degrees)
ALTER TABLE projects ADD COLUMN longitude REAL;
ALTER TABLE projects ADD COLUMN latitude REAL;
